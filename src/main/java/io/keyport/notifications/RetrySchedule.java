package io.keyport.notifications;

import java.time.Duration;
import java.time.Instant;

/**
 * When a failed delivery is tried again: 5 s after the first failure, then four times as long after
 * each further one (20 s, 80 s, 5 min 20 s, 21 min, 85 min, 5 h 41 min), at most 6 hours apart, and
 * a last time at its deadline, 24 hours after it was first due. Then it has failed.
 */
public final class RetrySchedule {

  static final Duration FIRST = Duration.ofSeconds(5);
  static final Duration LONGEST = Duration.ofHours(6);
  public static final Duration WINDOW = Duration.ofHours(24);

  private RetrySchedule() {}

  /** The wait after the {@code failures}-th failed attempt (1 for the first). */
  static Duration delayAfter(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures counts from 1: " + failures);
    }
    Duration delay = FIRST;
    for (int i = 1; i < failures && delay.compareTo(LONGEST) < 0; i++) {
      delay = delay.multipliedBy(4);
    }
    return delay.compareTo(LONGEST) < 0 ? delay : LONGEST;
  }

  /**
   * The next attempt after {@code failures} failed ones, the last of which ended at {@code now}; or
   * null when the deadline has passed and the delivery has failed for good.
   */
  static Instant next(int failures, Instant now, Instant giveUpAt) {
    if (!now.isBefore(giveUpAt)) {
      return null;
    }
    Instant next = now.plus(delayAfter(failures));
    return next.isAfter(giveUpAt) ? giveUpAt : next;
  }
}
