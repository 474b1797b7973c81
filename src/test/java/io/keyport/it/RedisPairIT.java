package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.RedisServer;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Two Keyport nodes, one PostgreSQL, one real Redis, {@code keyport.ratelimit.mode=redis}: the
 * nodes share one rate-limit budget per key, fall back to limiting on their own while Redis is down
 * (answering, never 5xx), and share again when it is back.
 */
@ExtendWith(KeyportServers.class)
@ResourceLock(Locks.REDIS)
class RedisPairIT {

  private static RedisServer redis;

  @Shared(ServerConfig.REDIS_MODE_A)
  URL a;

  @Shared(ServerConfig.REDIS_MODE_B)
  URL b;

  /** Node A, for the run's Redis, which this test kills and starts again. */
  @Shared(ServerConfig.REDIS_MODE_A)
  static KeyportServer pair;

  @BeforeAll
  static void redis() {
    redis = pair.redis();
  }

  /** Redis back up for the next test and the next class, if a test killed it and then failed. */
  @AfterEach
  void redisBack() throws Exception {
    redis.ensureRunning();
  }

  @Test
  void twoNodesShareOneBudgetFallBackWhileRedisIsDownAndShareAgainAfter() throws Exception {
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);

    assertEquals(5, admittedOfTwenty(nodeA, nodeB, newGoldKey(nodeA)), "shared through Redis");

    redis.kill();
    String duringOutage = newGoldKey(nodeB);
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> answer =
          (i % 2 == 0 ? nodeA : nodeB).check("/petstore/pets", duringOutage);
      assertTrue(
          answer.statusCode() == 200 || answer.statusCode() == 429,
          "request " + i + " while Redis is down: " + answer.statusCode() + " " + answer.body());
      admitted += answer.statusCode() == 200 ? 1 : 0;
    }
    assertTrue(admitted >= 5 && admitted <= 10, "each node limits on its own: " + admitted);

    redis.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    int shared = -1;
    while (shared != 5 && Instant.now().isBefore(deadline)) {
      Thread.sleep(1_000);
      shared = admittedOfTwenty(nodeA, nodeB, newGoldKey(nodeA));
    }
    assertEquals(5, shared, "shared again once Redis is back");
  }

  /**
   * A plan of 1,000 a day takes slices of 10 tokens: every admitted request spent a token Redis
   * handed out, so the two nodes together admit at most the limit (docs/rate-limits.md), and at
   * least the limit less what the two slices may still hold.
   */
  @Test
  void aHighLimitIsSharedInSlicesAndNeverOvershot() throws Exception {
    String name = "slices-" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(name, "requests_per_unit, rate_unit", "1000, 'DAY'");
    try {
      Http nodeA = new Http(a);
      Http nodeB = new Http(b);
      String key = newKey(nodeA, name, name);
      int admitted = 0;
      for (int i = 0; i < 1_100; i++) {
        HttpResponse<String> answer = (i % 2 == 0 ? nodeA : nodeB).check("/" + name + "/x", key);
        assertTrue(
            answer.statusCode() == 200 || answer.statusCode() == 429,
            "request " + i + ": " + answer.statusCode() + " " + answer.body());
        admitted += answer.statusCode() == 200 ? 1 : 0;
      }
      // Refill over the run (one token per 86 s) may add one or two.
      assertTrue(admitted <= 1_000 + 2, "never more than the limit across both nodes: " + admitted);
      assertTrue(admitted >= 1_000 - 2 * 10, "at most one slice per node unused: " + admitted);
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  @Test
  void bothNodesCountOneMonthlyQuota() throws Exception {
    String name = "quota-" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(name, "monthly_quota", "6");
    try {
      Http nodeA = new Http(a);
      Http nodeB = new Http(b);
      String key = newKey(nodeA, name, name);
      int admitted = 0;
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> answer = (i % 2 == 0 ? nodeA : nodeB).check("/" + name + "/x", key);
        if (answer.statusCode() == 200) {
          admitted++;
        } else {
          assertEquals(429, answer.statusCode(), "request " + i + ": " + answer.body());
          assertEquals(
              "quota_exceeded", answer.headers().firstValue("x-keyport-deny").orElse(null));
        }
      }
      assertEquals(6, admitted, "one quota of 6 for the key across both nodes");
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  @Test
  void aKeyMadeAfterDeletingOneContinuesTheSharedMonthlyQuota() throws Exception {
    String name = "requota-" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(name, "monthly_quota", "4");
    try {
      Http nodeA = new Http(a);
      Http nodeB = new Http(b);
      String path = "/" + name + "/x";
      Keys.Created first = Keys.create(nodeA, "pair", name, name);
      String firstKey = first.value();
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> answer = (i % 2 == 0 ? nodeA : nodeB).check(path, firstKey);
        assertEquals(200, answer.statusCode(), "request " + i + ": " + answer.body());
      }
      assertEquals(429, nodeB.check(path, firstKey).statusCode(), "the quota of 4 is used up");
      HttpResponse<String> deleted =
          nodeA.api("DELETE", "api/v1/api-keys/" + first.id(), "dev@example.com", "dev", null);
      assertEquals(204, deleted.statusCode(), deleted.body());

      String secondKey = Keys.create(nodeB, "pair", name, name).value();
      for (Http node : List.of(nodeA, nodeB)) {
        HttpResponse<String> answer = node.check(path, secondKey);
        assertEquals(
            429, answer.statusCode(), "a new key, the same month's count: " + answer.body());
        assertEquals("quota_exceeded", answer.headers().firstValue("x-keyport-deny").orElse(null));
      }
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  private static int admittedOfTwenty(Http nodeA, Http nodeB, String key) {
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> answer = (i % 2 == 0 ? nodeA : nodeB).check("/petstore/pets", key);
      assertTrue(answer.statusCode() == 200 || answer.statusCode() == 429, answer.body());
      admitted += answer.statusCode() == 200 ? 1 : 0;
    }
    return admitted;
  }

  private static String newGoldKey(Http node) {
    return newKey(node, "petstore", "gold");
  }

  private static String newKey(Http node, String product, String plan) {
    return Keys.create(node, "pair", product, plan).value();
  }
}
