package io.keyport.limits;

import java.util.Map;

/**
 * What the plan's limits say to one request: admitted or refused ({@code rate_limited}, {@code
 * quota_exceeded}, {@code credits_exhausted}), with the IETF RateLimit header fields and, on a
 * refusal, Retry-After.
 */
public record Admission(
    boolean admitted,
    String refusal,
    long limit,
    long remaining,
    long resetSeconds,
    long retryAfter) {

  /** No limit applies: admitted, with no headers to give. */
  public static final Admission UNLIMITED = new Admission(true, null, -1, -1, 0, 0);

  public static final String RATE_LIMITED = "rate_limited";
  public static final String QUOTA_EXCEEDED = "quota_exceeded";
  public static final String CREDITS_EXHAUSTED = CreditCounter.CREDITS_EXHAUSTED;

  /**
   * Whether {@code name} is one of the RateLimit-* header fields, the ones a gateway gives to the
   * client rather than the upstream.
   */
  public static boolean isRateLimitHeader(String name) {
    return name.regionMatches(true, 0, "RateLimit-", 0, "RateLimit-".length());
  }

  /** Adds the RateLimit-* headers of an admitted request, when a rate limit applies. */
  public void addHeadersTo(Map<String, String> headers) {
    if (limit >= 0) {
      headers.put("RateLimit-Limit", Long.toString(limit));
      headers.put("RateLimit-Remaining", Long.toString(remaining));
      headers.put("RateLimit-Reset", Long.toString(resetSeconds));
    }
  }

  /** The headers for the gateway: RateLimit-* when a rate limit applies, Retry-After on 429. */
  public Map<String, String> headers() {
    if (limit < 0) {
      // No Retry-After when waiting does not help (credits without a refill).
      return refusal == null || retryAfter <= 0
          ? Map.of()
          : Map.of("Retry-After", Long.toString(retryAfter));
    }
    if (refusal == null) {
      return Map.of(
          "RateLimit-Limit", Long.toString(limit),
          "RateLimit-Remaining", Long.toString(remaining),
          "RateLimit-Reset", Long.toString(resetSeconds));
    }
    return Map.of(
        "RateLimit-Limit", Long.toString(limit),
        "RateLimit-Remaining", Long.toString(remaining),
        "RateLimit-Reset", Long.toString(resetSeconds),
        "Retry-After", Long.toString(retryAfter));
  }
}
