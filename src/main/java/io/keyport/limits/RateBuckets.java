package io.keyport.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.keyport.catalog.RateUnit;
import java.time.Duration;
import java.util.UUID;

/**
 * One token bucket per API key, in this process (Bucket4j). A plan of N requests per unit is a
 * bucket of N tokens refilled greedily, N per unit: bursts up to N, N per unit on average, and the
 * wait after a refusal is until the next token. A changed plan reconfigures the bucket, its spent
 * tokens carried over in proportion.
 */
final class RateBuckets {

  private record KeyBucket(Bucket bucket, int requests, RateUnit unit) {}

  private final TimeMeter clock;
  private final Cache<UUID, KeyBucket> buckets =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofDays(2)).maximumSize(5_000_000).build();

  RateBuckets(TimeMeter clock) {
    this.clock = clock;
  }

  /** Takes one token of the key's bucket for a plan of {@code requests} per {@code unit}. */
  Admission take(UUID keyId, int requests, RateUnit unit) {
    KeyBucket entry = buckets.getIfPresent(keyId); // no capturing lambda on the common path
    if (entry == null) {
      entry = buckets.get(keyId, id -> new KeyBucket(newBucket(requests, unit), requests, unit));
    }
    if (entry.requests() != requests || entry.unit() != unit) {
      entry
          .bucket()
          .replaceConfiguration(configuration(requests, unit), TokensInheritanceStrategy.ADDITIVE);
      entry = new KeyBucket(entry.bucket(), requests, unit);
      buckets.put(keyId, entry);
    }
    return admission(entry.bucket().tryConsumeAndReturnRemaining(1), requests, unit);
  }

  /** What a bucket's answer means for the request and its headers. */
  static Admission admission(ConsumptionProbe probe, int requests, RateUnit unit) {
    long nanosPerToken = unit.length().toNanos() / requests;
    long remaining = probe.getRemainingTokens();
    long resetSeconds = seconds((requests - remaining) * nanosPerToken);
    if (probe.isConsumed()) {
      return new Admission(true, null, requests, remaining, resetSeconds, 0);
    }
    return new Admission(
        false,
        Admission.RATE_LIMITED,
        requests,
        0,
        resetSeconds,
        Math.max(1, seconds(probe.getNanosToWaitForRefill())));
  }

  private Bucket newBucket(int requests, RateUnit unit) {
    // One bucket per key is rarely contended: locking in place allocates less per request than
    // Bucket4j's default lock-free copy-and-swap of the bucket's state.
    return Bucket.builder()
        .withCustomTimePrecision(clock)
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
        .addLimit(limit(requests, unit))
        .build();
  }

  private static BucketConfiguration configuration(int requests, RateUnit unit) {
    return BucketConfiguration.builder().addLimit(limit(requests, unit)).build();
  }

  /**
   * A plan's bucket: N tokens, refilled greedily at N per unit. Bucket4j refills at most one token
   * per nanosecond, so a plan above 1,000,000,000 per second refills at that rate (more than any
   * machine sends) instead of failing.
   */
  static Bandwidth limit(int requests, RateUnit unit) {
    long refill = Math.min(requests, unit.length().toNanos());
    return Bandwidth.builder().capacity(requests).refillGreedy(refill, unit.length()).build();
  }

  private static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
