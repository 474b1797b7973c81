package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.platform.PrometheusText;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Shared;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Running Keyport in production: {@code /metrics} counts exactly what the check decided, with label
 * sets that stay bounded whatever keys and paths arrive; {@code /health/ready} follows the database
 * link while {@code /health/live} and the cached check keep answering.
 */
@ResourceLock(Locks.DATABASE_LINK)
@ExtendWith(KeyportServers.class)
class OperationsIT {

  private static final String CACHE_HITS = "keyport_key_cache_hits_total";
  private static final String LOOKUPS = "keyport_db_key_lookups_total";

  private static final String DECISIONS = "keyport_check_decisions_total";
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Shared static KeyportServer node;

  @Shared URL base;

  @Test
  void decisionCountersReadExactlyTheSequenceOfChecks() throws Exception {
    Http http = new Http(base);
    String name = "ops" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(name, "requests_per_unit, rate_unit", "5, 'MINUTE'");
    try {
      String key = newKey(http, name);
      // A lookup racing the new key's own change notification is not cached (see KeyCache): let
      // the notification arrive first, so the cache counts below are the checks' own.
      Thread.sleep(500);
      for (int i = 0; i < 3; i++) {
        assertEquals(200, http.check("/" + name + "/things", key).statusCode());
      }
      assertEquals(403, http.check("/petstore/pets", key).statusCode());
      for (int i = 0; i < 2; i++) {
        assertEquals(200, listener("/" + name + "/things", key).statusCode());
      }
      assertEquals(429, listener("/" + name + "/things", key).statusCode());
      double signInFailures = scrape().value("keyport_signin_failures_total", password());
      assertEquals(
          401,
          http.api("GET", "api/v1/me", "nobody-" + name + "@example.com", "wrong", null)
              .statusCode());

      PrometheusText metrics = scrape();
      assertEquals(3.0, metrics.value(DECISIONS, labels("servlet", "allowed", name)));
      assertEquals(1.0, metrics.value(DECISIONS, labels("servlet", "route_not_allowed", name)));
      assertEquals(2.0, metrics.value(DECISIONS, labels("listener", "allowed", name)));
      assertEquals(1.0, metrics.value(DECISIONS, labels("listener", "rate_limited", name)));
      assertEquals(0.0, metrics.value(DECISIONS, labels("servlet", "rate_limited", name)));
      double decidedForThisPlan = 0;
      for (PrometheusText.Sample sample : metrics.samples(DECISIONS)) {
        if (name.equals(sample.labels().get("plan"))) {
          decidedForThisPlan += sample.value();
        }
      }
      assertEquals(7.0, decidedForThisPlan, "every check of the key, counted once");
      assertEquals(signInFailures + 1, metrics.value("keyport_signin_failures_total", password()));
      assertTrue(metrics.value("keyport_db_key_lookups_total", Map.of("result", "found")) >= 1);
      assertTrue(metrics.value("keyport_key_cache_hits_total", Map.of("kind", "known")) >= 5);
      assertTrue(metrics.value("keyport_key_cache_size", Map.of()) >= 1);
      assertEquals(1.0, metrics.value("keyport_change_feed_listening", Map.of()));
      assertTrue(metrics.families().containsKey("jvm_memory_used_bytes"));
      assertTrue(
          metrics.value("keyport_check_latency_seconds_count", Map.of("front", "listener")) >= 3);
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  @Test
  void labelSetsStayBoundedUnderTenThousandRandomKeysAndPaths() throws Exception {
    Random random = new Random(18);
    Set<Map<String, String>> before = labelSets(scrape());
    Set<String> sent = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String path = "/r" + Long.toHexString(random.nextLong()) + "/" + i;
      String key =
          i % 10 == 0
              ? SpecKeys.wellFormed(random)
              : "kp_" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      sent.add(path);
      sent.add(key);
      int status = listener(path, key).statusCode();
      assertEquals(401, status, "random key " + i);
    }
    PrometheusText metrics = scrape();
    Set<Map<String, String>> added = labelSets(metrics);
    added.removeAll(before);
    for (Map<String, String> labels : added) {
      assertEquals("none", labels.get("product"), "a new label set: " + labels);
      assertEquals("none", labels.get("plan"), "a new label set: " + labels);
    }
    for (PrometheusText.Family family : metrics.families().values()) {
      for (PrometheusText.Sample sample : family.samples()) {
        for (String value : sample.labels().values()) {
          assertFalse(sent.contains(value), sample + " carries a key or a path");
        }
      }
    }
    assertTrue(
        metrics.value(
                DECISIONS,
                Map.of(
                    "front",
                    "listener",
                    "outcome",
                    "invalid_api_key",
                    "product",
                    "none",
                    "plan",
                    "none"))
            >= 10_000);
  }

  @Test
  void aFloodOfUnknownWellFormedKeysIsRefusedFromTheIndexNotLookedUpOneByOne() throws Exception {
    assertEquals(200, eventually(() -> status("health/ready"), 200), "ready: the feed listens");
    for (int i = 0; i < 100 && scrape().value("keyport_key_index_size", Map.of()) < 1; i++) {
      Thread.sleep(100);
    }
    PrometheusText before = scrape();
    assertTrue(before.value("keyport_key_index_size", Map.of()) >= 1, "the index was read");
    assertTrue(before.value("keyport_key_index_bytes", Map.of()) >= 8 * 1024);
    Random random = new Random(17);
    int flood = 2_000;
    long started = System.nanoTime();
    for (int i = 0; i < flood; i++) {
      assertEquals(401, listener("/petstore/pets", SpecKeys.wellFormed(random)).statusCode());
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L + 2;
    PrometheusText after = scrape();
    Map<String, String> notIndexed = Map.of("kind", "not_indexed");
    Map<String, String> absent = Map.of("result", "absent");
    double refusedFromMemory =
        after.value(CACHE_HITS, notIndexed) - before.value(CACHE_HITS, notIndexed);
    double lookedUp = after.value(LOOKUPS, absent) - before.value(LOOKUPS, absent);
    // 20 lookups a second may go to PostgreSQL for keys made elsewhere a moment ago
    assertTrue(
        refusedFromMemory >= flood - 20 * seconds,
        refusedFromMemory + " of " + flood + " refused from memory in " + seconds + " s");
    assertTrue(lookedUp < flood / 2.0, lookedUp + " lookups for " + flood + " unknown keys");
  }

  @Test
  void readinessFollowsTheDatabaseWhileLivenessAndCachedKeysCarryOn() throws Exception {
    Http http = new Http(base);
    String key = newKey(http, "gold", "petstore");
    // Ready first: a change feed still reconnecting after an earlier cut empties the key cache.
    assertEquals(200, eventually(() -> status("health/ready"), 200), "ready before the cut");
    assertEquals(200, http.check("/petstore/pets", key).statusCode());

    TestDatabase.cutKeyportOff();
    try {
      assertEquals(503, eventually(() -> status("health/ready"), 503), "ready with no database");
      HttpResponse<String> ready = get("health/ready");
      assertTrue(ready.body().contains("does not answer"), ready.body());
      assertEquals(200, status("health/live"));
      assertEquals(200, http.check("/petstore/pets", key).statusCode(), "cached key while down");
    } finally {
      TestDatabase.reconnectKeyport();
    }
    assertEquals(200, eventually(() -> status("health/ready"), 200), "ready after the cut");
    HttpResponse<String> ready = get("health/ready");
    assertTrue(ready.body().contains("\"changeFeed\":\"listening\""), ready.body());
  }

  private PrometheusText scrape() {
    HttpResponse<String> response = get("metrics");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        "content type");
    return PrometheusText.parse(response.body());
  }

  private static Set<Map<String, String>> labelSets(PrometheusText metrics) {
    Set<Map<String, String>> sets = new HashSet<>();
    for (PrometheusText.Sample sample : metrics.samples(DECISIONS)) {
      sets.add(sample.labels());
    }
    return sets;
  }

  private static Map<String, String> labels(String front, String outcome, String name) {
    return Map.of("front", front, "outcome", outcome, "product", name, "plan", name);
  }

  private static Map<String, String> password() {
    return Map.of("method", "password");
  }

  private HttpResponse<String> get(String path) {
    return new Http(base).send(new Http(base).request(path).GET());
  }

  private int status(String path) {
    return get(path).statusCode();
  }

  /** Polls until the status is the expected one, at most 60 times half a second apart. */
  private static int eventually(IntSupplier status, int expected) throws InterruptedException {
    int last = status.getAsInt();
    for (int i = 0; i < 60 && last != expected; i++) {
      Thread.sleep(500);
      last = status.getAsInt();
    }
    return last;
  }

  private static HttpResponse<String> listener(String path, String key) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.checkPort() + "/auth/check" + path))
            .header("api-key", key)
            .GET()
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String newKey(Http http, String name) {
    return newKey(http, name, name);
  }

  private static String newKey(Http http, String plan, String product) {
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\"ops-"
                + UUID.randomUUID()
                + "\",\"apiProduct\":\""
                + product
                + "\",\"usagePlan\":\""
                + plan
                + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    return Http.field(created.body(), "apiKey");
  }
}
