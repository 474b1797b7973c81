package io.keyport.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisAddressTest {

  @Test
  void lettucesOwnFormsNameOneRedis() {
    RedisAddress one = RedisAddress.parse("redis://:secret@cache.example:6380/2");
    assertFalse(one.cluster());
    RedisURI uri = one.nodes().get(0);
    assertEquals("cache.example", uri.getHost());
    assertEquals(6380, uri.getPort());
    assertEquals(2, uri.getDatabase());
    assertEquals(
        "secret",
        new String(uri.getCredentialsProvider().resolveCredentials().block().getPassword()));

    RedisAddress sentinel =
        RedisAddress.parse("redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#mymaster");
    assertFalse(sentinel.cluster());
    assertEquals("mymaster", sentinel.nodes().get(0).getSentinelMasterId());
    assertTrue(RedisAddress.parse("rediss://cache.example:6380").nodes().get(0).isSsl());
  }

  @Test
  void aClusterIsNamedByItsSeedNodes() {
    RedisAddress cluster = RedisAddress.parse(" redis-cluster://10.0.0.1:7000, 10.0.0.2:7001 ");
    assertTrue(cluster.cluster());
    assertEquals(
        List.of("10.0.0.1:7000", "10.0.0.2:7001"),
        cluster.nodes().stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
    assertFalse(cluster.nodes().get(0).isSsl());

    RedisAddress tls =
        RedisAddress.parse("rediss-cluster://keyport:p%40ss@r1.example:6379,r2.example:6379");
    assertTrue(tls.cluster());
    for (RedisURI seed : tls.nodes()) {
      assertTrue(seed.isSsl());
      assertEquals(
          "keyport", seed.getCredentialsProvider().resolveCredentials().block().getUsername());
    }
    assertEquals(1, RedisAddress.parse("REDIS-CLUSTER://[::1]:7000").nodes().size());
  }

  @Test
  void aMalformedClusterUrlSaysWhatItShouldLookLike() {
    for (String bad :
        List.of(
            "redis-cluster://",
            "redis-cluster://10.0.0.1",
            "redis-cluster://10.0.0.1:7000,",
            "redis-cluster://10.0.0.1:70000",
            "redis-cluster://10.0.0.1:port",
            "redis-cluster://10.0.0.1:7000/1",
            "redis-cluster://10.0.0.1:7000?timeout=5s")) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> RedisAddress.parse(bad), bad);
      assertTrue(refused.getMessage().contains("redis-cluster://host:port,host:port"), bad);
    }
    IllegalArgumentException notRedis =
        assertThrows(IllegalArgumentException.class, () -> RedisAddress.parse("http://cache:6379"));
    assertTrue(
        notRedis.getMessage().startsWith("keyport.redis.url is not a Redis URL"),
        notRedis.getMessage());
  }
}
