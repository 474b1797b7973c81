package io.keyport.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
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
 * and writes that one key only, so it never crosses slots. Nodes take slices of tokens from these
 * buckets ({@link TokenSlices}), not one token per request.
 */
final class SharedBuckets implements TokenSlices.Bank {

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

  @Override
  public TokenSlices.Reservation reserve(UUID keyId, int requests, RateUnit unit, long tokens) {
    VerboseResult<Long> taken =
        bucket(keyId, requests, unit).asVerbose().tryConsumeAsMuchAsPossible(tokens);
    BucketState state = taken.getState();
    long granted = taken.getValue();
    long wait =
        granted > 0
            ? 0
            : state.calculateDelayNanosAfterWillBePossibleToConsume(
                1, taken.getOperationTimeNanos(), false);
    return new TokenSlices.Reservation(granted, state.getAvailableTokens(), wait);
  }

  @Override
  public void giveBack(UUID keyId, int requests, RateUnit unit, long tokens) {
    bucket(keyId, requests, unit).addTokens(tokens);
  }

  private BucketProxy bucket(UUID keyId, int requests, RateUnit unit) {
    String name = prefix + "keyport:rate:" + keyId + ":" + requests + "/" + unit;
    BucketProxy bucket = proxies.getIfPresent(name);
    return bucket != null ? bucket : proxies.get(name, n -> proxy(n, requests, unit));
  }

  /**
   * One proxy per bucket, kept. No batching: a node reserves a key's slices one at a time ({@link
   * TokenSlices}), so its own calls for one bucket do not collide.
   */
  private BucketProxy proxy(String name, int requests, RateUnit unit) {
    BucketConfiguration configuration =
        BucketConfiguration.builder().addLimit(RateBuckets.limit(requests, unit)).build();
    return buckets.builder().build(name.getBytes(StandardCharsets.UTF_8), () -> configuration);
  }
}
