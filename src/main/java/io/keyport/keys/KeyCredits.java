package io.keyport.keys;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * A key's credits (SPEC §11): {@code remaining} uses as stored, set or refilled in the period that
 * starts at {@code refilledAt}; with a refill, {@code refillAmount} uses again from the start of
 * each next period (the amount replaces what is left, it does not add to it). {@code generation}
 * counts the administrator's settings.
 */
public record KeyCredits(
    long remaining,
    Long refillAmount,
    RefillInterval refillInterval,
    Instant refilledAt,
    long generation)
    implements Serializable {

  public KeyCredits {
    if (remaining < 0) {
      throw new IllegalArgumentException("remaining credits cannot be negative");
    }
    if ((refillAmount == null) != (refillInterval == null)) {
      throw new IllegalArgumentException("a refill has both an amount and an interval");
    }
  }

  public boolean refills() {
    return refillInterval != null;
  }

  /** Whether a refill is due at {@code now}: a period has begun since remaining was set. */
  public boolean refillDue(Instant now) {
    return refills() && refilledAt.isBefore(refillInterval.periodStart(now));
  }

  /** The uses left at {@code now}, the refill applied if one is due. */
  public long remainingAt(Instant now) {
    return refillDue(now) ? refillAmount : remaining;
  }

  /** When the next refill comes, or null without a refill. */
  public Instant nextRefillAt(Instant now) {
    return refills() ? refillInterval.nextStart(now) : null;
  }

  /**
   * Seconds until the next refill, at least 1, for Retry-After; 0 without a refill (then no
   * Retry-After is given: waiting does not help).
   */
  public long retryAfterSeconds(Instant now) {
    if (!refills()) {
      return 0;
    }
    long millis = Duration.between(now, refillInterval.nextStart(now)).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }
}
