package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.testsupport.AdminKeys;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Credits and scopes (SPEC §11) through the check: exactly as many admitted as there are credits
 * under 200 parallel checks, on one node and split across the redis-mode pair; 429 {@code
 * credits_exhausted} with and without Retry-After; a refill; scopes refusing 403 {@code
 * route_not_allowed}; PATCH refusals that change nothing.
 */
@ExtendWith(KeyportServers.class)
@ResourceLock(value = Locks.REDIS, mode = ResourceAccessMode.READ)
class CreditsAndScopesIT {

  private static final String ADMIN = AdminKeys.ADMIN;
  private static final String ADMIN_PASSWORD = AdminKeys.ADMIN_PASSWORD;

  @Shared URL base;
  @Shared static KeyportServer node;

  @Shared(ServerConfig.REDIS_MODE_A)
  URL a;

  @Shared(ServerConfig.REDIS_MODE_B)
  URL b;

  @Shared(ServerConfig.REDIS_MODE_A)
  static KeyportServer nodeA;

  @Shared(ServerConfig.REDIS_MODE_B)
  static KeyportServer nodeB;

  @Test
  void twoHundredParallelChecksOnFiftyCreditsAdmitExactlyFiftyThenNoRetryAfter() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "credits", "petstore", "unlimited");
    JsonObject set = adminPatch(http, key.id(), "\"credits\":{\"remaining\":50}");
    assertEquals(50, set.getJsonObject("credits").getInt("remaining"), set.toString());
    assertTrue(set.getJsonObject("credits").isNull("nextRefillAt"), set.toString());

    List<HttpResponse<String>> answers = parallelChecks(List.of(listener(node)), key.value(), 200);
    assertEquals(50, count(answers, 200), statuses(answers));
    assertEquals(150, count(answers, 429), statuses(answers));
    HttpResponse<String> refused = http.check("/petstore/pets", key.value());
    assertEquals(429, refused.statusCode());
    assertEquals("credits_exhausted", Http.field(refused.body(), "error"));
    assertEquals("credits_exhausted", refused.headers().firstValue("x-keyport-deny").orElse(""));
    assertFalse(refused.headers().firstValue("Retry-After").isPresent(), "no refill, no wait");
    assertEquals(0, ownersView(http, key.id()).getJsonObject("credits").getInt("remaining"));

    // "credits": null lifts the limit; the next check passes.
    JsonObject lifted = adminPatch(http, key.id(), "\"credits\":null");
    assertTrue(lifted.isNull("credits"), lifted.toString());
    assertEquals(200, attemptsUntil(200, () -> http.check("/petstore/pets", key.value())));
  }

  @Test
  void aDueRefillReplacesTheCountAndAnEmptyKeyIsToldWhenTheNextComes() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "refill", "petstore", "unlimited");
    adminPatch(
        http,
        key.id(),
        "\"credits\":{\"remaining\":0,\"refill\":{\"amount\":3,\"interval\":\"DAILY\"}}");
    // As if set two days ago: the refill of today's period is due (the generation stays, so the
    // node's cached key is the same setting).
    try (Connection db = TestDatabase.connect();
        PreparedStatement back =
            db.prepareStatement(
                "update api_key_credits set refilled_at = refilled_at - interval '2 days'"
                    + " where key_id = ?")) {
      back.setObject(1, UUID.fromString(key.id()));
      assertEquals(1, back.executeUpdate());
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.check("/petstore/pets", key.value()).statusCode(), "refilled " + i);
    }
    HttpResponse<String> refused = http.check("/petstore/pets", key.value());
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("credits_exhausted", Http.field(refused.body(), "error"));
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    long untilMidnight =
        Duration.between(
                Instant.now(), Instant.now().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS))
            .toSeconds();
    assertTrue(
        retryAfter >= 1 && Math.abs(retryAfter - untilMidnight) <= 5,
        retryAfter + " s, while midnight UTC is " + untilMidnight + " s away");
    JsonObject credits = ownersView(http, key.id()).getJsonObject("credits");
    assertEquals(0, credits.getInt("remaining"), credits.toString());
    assertEquals(3, credits.getInt("refillAmount"));
    assertEquals("DAILY", credits.getString("refillInterval"));
    assertEquals(
        Instant.now().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS),
        Instant.parse(credits.getString("nextRefillAt")));
  }

  @Test
  void theRedisPairSharesFiftyCreditsAcrossTwoHundredParallelChecks() throws Exception {
    Http http = new Http(a);
    // A node's first Redis calls (connection, script load) are slow enough that a burst at a node
    // just started overflows the check listener's worker queue (503, counted); warm both up first.
    Keys.Created warm = Keys.create(http, "warm-credits", "petstore", "unlimited");
    adminPatch(http, warm.id(), "\"credits\":{\"remaining\":1000}");
    for (Http front : List.of(listener(nodeA), listener(nodeB))) {
      for (int i = 0; i < 20; i++) {
        assertEquals(200, front.check("/petstore/pets", warm.value()).statusCode(), "warm-up " + i);
      }
    }
    Keys.Created key = Keys.create(http, "shared-credits", "petstore", "unlimited");
    adminPatch(http, key.id(), "\"credits\":{\"remaining\":50}");
    List<HttpResponse<String>> answers =
        parallelChecks(List.of(listener(nodeA), listener(nodeB)), key.value(), 200);
    assertEquals(50, count(answers, 200), statuses(answers));
    assertEquals(150, count(answers, 429), statuses(answers));
  }

  @Test
  void scopesRefuseOtherMethodsAndPathsThroughTheCheck() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "scopes", "petstore", "unlimited");
    HttpResponse<String> set =
        http.api(
            "PATCH",
            "api/v1/api-keys/" + key.id(),
            Keys.DEV,
            Keys.DEV_PASSWORD,
            "{\"scopes\":{\"methods\":[\"GET\"],\"pathPrefixes\":[\"/petstore/pets\"]}}");
    assertEquals(200, set.statusCode(), set.body());
    assertEquals(200, check(http, "GET", "/petstore/pets/1", key.value()).statusCode());
    assertEquals(200, check(http, "GET", "/petstore/pets", key.value()).statusCode());
    for (String path :
        List.of(
            "/petstore/petsadmin",
            "/petstore/store/order",
            "/petstore/pets/../store",
            "/petstore/pets/%2e%2e/store",
            "/petstore/pets//x")) {
      HttpResponse<String> refused = check(http, "GET", path, key.value());
      assertEquals(403, refused.statusCode(), path);
      assertEquals("route_not_allowed", Http.field(refused.body(), "error"), path);
    }
    assertEquals(403, check(http, "POST", "/petstore/pets", key.value()).statusCode());
  }

  @Test
  void refusedPatchesChangeNothing() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "refusals", "petstore", "unlimited");
    adminPatch(http, key.id(), "\"credits\":{\"remaining\":7}");
    String before = ownersView(http, key.id()).toString();
    String path = "api/v1/admin/api-keys/" + key.id();
    long version = adminView(http, key.id()).getJsonNumber("lockVersion").longValue();
    for (String bad :
        List.of(
            "\"credits\":{\"remaining\":-1}",
            "\"credits\":{}",
            "\"credits\":{\"remaining\":5,\"refill\":{\"amount\":0,\"interval\":\"DAILY\"}}",
            "\"credits\":{\"remaining\":5,\"refill\":{\"amount\":9,\"interval\":\"WEEKLY\"}}",
            "\"metadata\":{\"team\":\"x\"},\"credits\":{\"remaining\":-3}",
            "\"scopes\":{\"pathPrefixes\":[\"/petstore/../admin\"]},\"credits\":{\"remaining\":1}",
            "\"scopes\":{\"methods\":[\"FETCH\"]}")) {
      HttpResponse<String> refused =
          http.api(
              "PATCH",
              path,
              ADMIN,
              ADMIN_PASSWORD,
              "{\"lockVersion\":" + version + "," + bad + "}");
      assertEquals(400, refused.statusCode(), bad + " -> " + refused.body());
      assertFalse(Http.field(refused.body(), "message").isBlank(), refused.body());
    }
    HttpResponse<String> owner =
        http.api(
            "PATCH",
            "api/v1/api-keys/" + key.id(),
            Keys.DEV,
            Keys.DEV_PASSWORD,
            "{\"name\":\"renamed-" + UUID.randomUUID() + "\",\"credits\":{\"remaining\":1000000}}");
    assertEquals(403, owner.statusCode(), owner.body());
    assertEquals("credits_admin_only", Http.field(owner.body(), "error"));
    assertEquals(before, ownersView(http, key.id()).toString());
    assertEquals(version, adminView(http, key.id()).getJsonNumber("lockVersion").longValue());
  }

  private static JsonObject adminPatch(Http http, String id, String fields) {
    long version = adminView(http, id).getJsonNumber("lockVersion").longValue();
    HttpResponse<String> changed =
        http.api(
            "PATCH",
            "api/v1/admin/api-keys/" + id,
            ADMIN,
            ADMIN_PASSWORD,
            "{\"lockVersion\":" + version + "," + fields + "}");
    assertEquals(200, changed.statusCode(), changed.body());
    return json(changed.body());
  }

  private static JsonObject adminView(Http http, String id) {
    HttpResponse<String> read =
        http.api("GET", "api/v1/admin/api-keys/" + id, ADMIN, ADMIN_PASSWORD, null);
    assertEquals(200, read.statusCode(), read.body());
    return json(read.body());
  }

  private static JsonObject ownersView(Http http, String id) {
    HttpResponse<String> read =
        http.api("GET", "api/v1/api-keys/" + id, Keys.DEV, Keys.DEV_PASSWORD, null);
    assertEquals(200, read.statusCode(), read.body());
    return json(read.body());
  }

  private static HttpResponse<String> check(Http http, String method, String path, String key) {
    return http.send(
        http.request("auth/check")
            .header("X-Forwarded-Method", method)
            .header("X-Forwarded-Uri", path)
            .header("api-key", key)
            .GET());
  }

  private static Http listener(KeyportServer server) throws Exception {
    return new Http(URI.create("http://127.0.0.1:" + server.checkPort() + "/").toURL());
  }

  /** {@code total} checks from 32 threads, spread over the fronts in turn. */
  private static List<HttpResponse<String>> parallelChecks(List<Http> fronts, String key, int total)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(32);
    try {
      List<Future<HttpResponse<String>>> pending = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        Http front = fronts.get(i % fronts.size());
        pending.add(threads.submit(() -> front.check("/petstore/pets", key)));
      }
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (Future<HttpResponse<String>> answer : pending) {
        answers.add(answer.get());
      }
      return answers;
    } finally {
      threads.shutdownNow();
    }
  }

  private static int attemptsUntil(
      int status, java.util.function.Supplier<HttpResponse<String>> call)
      throws InterruptedException {
    int last = -1;
    for (int i = 0; i < 50; i++) {
      last = call.get().statusCode();
      if (last == status) {
        return last;
      }
      Thread.sleep(100);
    }
    return last;
  }

  private static long count(List<HttpResponse<String>> answers, int status) {
    return answers.stream().filter(r -> r.statusCode() == status).count();
  }

  private static String statuses(List<HttpResponse<String>> answers) {
    return answers.stream().map(r -> Integer.toString(r.statusCode())).toList().toString();
  }

  private static JsonObject json(String body) {
    return Json.createReader(new StringReader(body)).readObject();
  }
}
