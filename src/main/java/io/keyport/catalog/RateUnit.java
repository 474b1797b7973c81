package io.keyport.catalog;

import java.time.Duration;

/** The period a plan's {@code requestsPerUnit} counts over. */
public enum RateUnit {
  SECOND(Duration.ofSeconds(1)),
  MINUTE(Duration.ofMinutes(1)),
  HOUR(Duration.ofHours(1)),
  DAY(Duration.ofDays(1));

  private final Duration length;

  RateUnit(Duration length) {
    this.length = length;
  }

  public Duration length() {
    return length;
  }
}
