package io.keyport.keys;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** How often a key's credits are refilled: at 00:00 UTC every day, or on the 1st of each month. */
public enum RefillInterval {
  DAILY,
  MONTHLY;

  /** The start of the period {@code now} falls in. */
  public Instant periodStart(Instant now) {
    if (this == DAILY) {
      return now.truncatedTo(ChronoUnit.DAYS);
    }
    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    return day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The start of the period after the one {@code now} falls in: the next refill. */
  public Instant nextStart(Instant now) {
    Instant start = periodStart(now);
    return this == DAILY
        ? start.plus(1, ChronoUnit.DAYS)
        : LocalDate.ofInstant(start, ZoneOffset.UTC)
            .plusMonths(1)
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant();
  }
}
