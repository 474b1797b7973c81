package io.keyport.keys;

import java.io.Serializable;
import java.time.Instant;

/**
 * A key's credits as the pages and the API show them: what is left now (a due refill counted), the
 * refill's amount and interval (null without one) and when it comes next.
 */
public record CreditsView(
    long remaining, Long refillAmount, RefillInterval refillInterval, Instant nextRefillAt)
    implements Serializable {

  /** The view of stored credits at {@code now}, or null for none. */
  public static CreditsView of(KeyCredits credits, Instant now) {
    if (credits == null) {
      return null;
    }
    return new CreditsView(
        credits.remainingAt(now),
        credits.refillAmount(),
        credits.refillInterval(),
        credits.nextRefillAt(now));
  }
}
