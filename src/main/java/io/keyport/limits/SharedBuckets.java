package io.keyport.limits;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.keyport.catalog.RateUnit;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * The same token buckets as {@link RateBuckets}, kept in Redis so that every Keyport node draws on
 * one budget per key (Bucket4j's compare-and-swap over Lettuce). The limit is part of the Redis
 * key, so a changed plan starts the key's shared bucket afresh.
 */
final class SharedBuckets {

  private final ProxyManager<byte[]> buckets;
  private final String prefix;

  SharedBuckets(StatefulRedisConnection<byte[], byte[]> redis, String prefix) {
    this.prefix = prefix;
    this.buckets =
        Bucket4jLettuce.casBasedBuilder(redis)
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                    Duration.ofSeconds(10)))
            .build();
  }

  /**
   * Takes one token of the key's shared bucket.
   *
   * @throws RuntimeException when Redis does not answer in time
   */
  Admission take(UUID keyId, int requests, RateUnit unit) {
    byte[] name =
        (prefix + "keyport:rate:" + keyId + ":" + requests + "/" + unit)
            .getBytes(StandardCharsets.UTF_8);
    BucketConfiguration configuration =
        BucketConfiguration.builder().addLimit(RateBuckets.limit(requests, unit)).build();
    ConsumptionProbe probe =
        buckets.builder().build(name, () -> configuration).tryConsumeAndReturnRemaining(1);
    return RateBuckets.admission(probe, requests, unit);
  }
}
