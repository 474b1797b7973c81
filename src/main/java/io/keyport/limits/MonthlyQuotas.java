package io.keyport.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Requests this calendar month (UTC) against the plan's quota, per {@link QuotaScope}: all of one
 * user's keys on one product and plan draw on one count. A scope's count starts from what the
 * database has metered for the month, read once; then this process counts on. The month turns at
 * 00:00 UTC on the 1st.
 */
final class MonthlyQuotas {

  private record Counter(YearMonth month, long stored, AtomicLong counted) {}

  private final Clock clock;
  private final BiFunction<QuotaScope, YearMonth, Long> stored;
  private final Cache<QuotaScope, Counter> counters =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofDays(40)).maximumSize(5_000_000).build();

  /**
   * @param stored reads the admitted requests the database holds for a scope and month; may throw
   *     when the database is down
   */
  MonthlyQuotas(Clock clock, BiFunction<QuotaScope, YearMonth, Long> stored) {
    this.clock = clock;
    this.stored = stored;
  }

  /** Whether this scope's count for the month is in memory, so a take needs no database. */
  boolean isLoaded(QuotaScope scope) {
    Counter counter = counters.getIfPresent(scope);
    return counter != null && counter.month().equals(month());
  }

  /** Counts one request if the quota allows it. */
  Admission take(QuotaScope scope, long quota) {
    YearMonth month = month();
    Counter counter = counters.getIfPresent(scope);
    if (counter == null || !counter.month().equals(month)) {
      counter = new Counter(month, stored.apply(scope, month), new AtomicLong());
      counters.put(scope, counter);
    }
    long used = counter.stored() + counter.counted().incrementAndGet();
    if (used <= quota) {
      return Admission.UNLIMITED;
    }
    counter.counted().decrementAndGet();
    long untilNextMonth =
        Duration.between(
                clock.instant(),
                month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant())
            .toSeconds();
    return new Admission(false, Admission.QUOTA_EXCEEDED, -1, 0, 0, Math.max(1, untilNextMonth));
  }

  /** Gives back a request counted by {@link #take} that another limit then refused. */
  void giveBack(QuotaScope scope) {
    Counter counter = counters.getIfPresent(scope);
    if (counter != null) {
      counter.counted().decrementAndGet();
    }
  }

  /** Requests counted this month, stored and in memory. */
  long used(QuotaScope scope) {
    Counter counter = counters.getIfPresent(scope);
    return counter == null || !counter.month().equals(month())
        ? 0
        : counter.stored() + counter.counted().get();
  }

  private YearMonth month() {
    return YearMonth.now(clock.withZone(ZoneOffset.UTC));
  }
}
