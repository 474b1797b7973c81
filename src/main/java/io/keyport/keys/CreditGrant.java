package io.keyport.keys;

/**
 * Credits as sent in a PATCH body ({@code "credits":{"remaining","refill":{"amount","interval"}}}),
 * not yet checked; see {@link KeyRules}.
 */
public record CreditGrant(Long remaining, Refill refill) {

  /** {@code "refill":{"amount","interval":"DAILY"|"MONTHLY"}}. */
  public record Refill(Long amount, String interval) {}
}
