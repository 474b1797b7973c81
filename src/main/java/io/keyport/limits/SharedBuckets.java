package io.keyport.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.keyport.catalog.RateUnit;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * The same token buckets as {@link RateBuckets}, kept in Redis so that every Keyport node draws on
 * one budget per key (Bucket4j's compare-and-swap over Lettuce). The limit is part of the Redis
 * key, so a changed plan starts the key's shared bucket afresh. On a Redis Cluster Bucket4j's own
 * cluster adapter sends each bucket's script to the master of the bucket's slot: the script reads
 * and writes that one key only, so it never crosses slots.
 */
final class SharedBuckets {

  private final ProxyManager<byte[]> buckets;
  private final String prefix;
  private final Cache<String, BucketProxy> proxies =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(100_000).build();

  SharedBuckets(StatefulConnection<byte[], byte[]> redis, String prefix) {
    this.prefix = prefix;
    Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]> builder =
        redis instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster
            ? Bucket4jLettuce.casBasedBuilder(cluster)
            : Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<byte[], byte[]>) redis);
    this.buckets =
        builder
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
    String name = prefix + "keyport:rate:" + keyId + ":" + requests + "/" + unit;
    BucketProxy bucket = proxies.getIfPresent(name);
    if (bucket == null) {
      bucket = proxies.get(name, n -> proxy(n, requests, unit));
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return RateBuckets.admission(probe, requests, unit);
  }

  /**
   * One proxy per bucket, kept, with Bucket4j's batching: requests for the same key that arrive
   * while a compare-and-swap is in flight go to Redis together in the next one, instead of each
   * retrying against the others (a busy key's requests collided and retried otherwise).
   */
  private BucketProxy proxy(String name, int requests, RateUnit unit) {
    BucketConfiguration configuration =
        BucketConfiguration.builder().addLimit(RateBuckets.limit(requests, unit)).build();
    return buckets
        .builder()
        .withOptimization(Optimizations.batching())
        .build(name.getBytes(StandardCharsets.UTF_8), () -> configuration);
  }
}
