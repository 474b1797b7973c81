package io.keyport.limits;

import io.keyport.platform.Unproxied;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's check answers for known keys per minute and outcome, over the last hour, in memory
 * only: {@code key_usage} keeps hours, and a per-minute table would be sixty times the writes. Each
 * node counts what it answered since it started; a restart starts from zero.
 */
@ApplicationScoped
public class RecentTraffic {

  /** The outcomes, in the order charts stack them. */
  public static final List<String> OUTCOMES =
      List.of(
          UsageMeter.ADMITTED,
          "rate_limited",
          "quota_exceeded",
          "route_not_allowed",
          "invalid_api_key");

  private static final int MINUTES = 60;
  private static final long MINUTE_MILLIS = 60_000;

  /** Requests in one minute, by outcome, in {@link #OUTCOMES}' order. */
  public record Minute(Instant start, Map<String, Long> counts) {

    public long total() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  // Slot i holds the minute whose number (epoch minutes) is stamps[i]; a slot of an older minute
  // is emptied before it is counted into again.
  private final AtomicLongArray stamps = new AtomicLongArray(MINUTES);
  private final LongAdder[][] counts = new LongAdder[MINUTES][OUTCOMES.size()];

  public RecentTraffic() {
    for (LongAdder[] slot : counts) {
      for (int o = 0; o < slot.length; o++) {
        slot[o] = new LongAdder();
      }
    }
    for (int i = 0; i < MINUTES; i++) {
      stamps.set(i, -1);
    }
  }

  /** Counts one answer; outcomes other than the known ones are not counted. */
  public void count(String outcome, long epochMillis) {
    int index = index(outcome);
    if (index < 0) {
      return;
    }
    long minute = epochMillis / MINUTE_MILLIS;
    int slot = (int) (minute % MINUTES);
    if (stamps.get(slot) != minute) {
      turnOver(slot, minute);
    }
    counts[slot][index].increment();
  }

  /** The 60 minutes up to and including the one of {@code now}, oldest first. */
  public List<Minute> lastHour(long nowMillis) {
    long current = nowMillis / MINUTE_MILLIS;
    List<Minute> minutes = new ArrayList<>(MINUTES);
    for (long minute = current - MINUTES + 1; minute <= current; minute++) {
      int slot = (int) (minute % MINUTES);
      Map<String, Long> byOutcome = new LinkedHashMap<>();
      boolean held = stamps.get(slot) == minute;
      for (int o = 0; o < OUTCOMES.size(); o++) {
        byOutcome.put(OUTCOMES.get(o), held ? counts[slot][o].sum() : 0L);
      }
      minutes.add(new Minute(Instant.ofEpochMilli(minute * MINUTE_MILLIS), byOutcome));
    }
    return minutes;
  }

  private synchronized void turnOver(int slot, long minute) {
    if (stamps.get(slot) < minute) {
      for (LongAdder adder : counts[slot]) {
        adder.reset();
      }
      stamps.set(slot, minute);
    }
  }

  private static int index(String outcome) {
    return switch (outcome) {
      case UsageMeter.ADMITTED -> 0;
      case "rate_limited" -> 1;
      case "quota_exceeded" -> 2;
      case "route_not_allowed" -> 3;
      case "invalid_api_key" -> 4;
      default -> -1;
    };
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  public Unproxied<RecentTraffic> unproxied() {
    return new Unproxied<>(this);
  }
}
