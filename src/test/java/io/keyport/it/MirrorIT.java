package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.RedisServer;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis mirror (SPEC §5) against a real Redis: Gloo's exact layout, removal on delete and
 * expiry, nothing lost while Redis is down or when Keyport is killed, and resync. The tests share
 * the run's mirror node and Redis, and each makes keys of its own; the one that kills Keyport
 * (SIGKILL) starts a node of its own to kill.
 */
@ExtendWith(KeyportServers.class)
class MirrorIT {

  private static final String SECRET = "integration-test-secret-not-for-production";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Shared(ServerConfig.REDIS_MIRROR)
  static KeyportServer mirror;

  @Shared(ServerConfig.REDIS_MIRROR)
  URL base;

  private static RedisServer server;

  @BeforeAll
  static void redisOfTheRun() {
    server = mirror.redis();
  }

  @Test
  void aNewKeyIsInRedisInGloosLayoutFieldByField() throws Exception {
    Created key = create(new Http(base), "{\"team\":\"blue\",\"tier\":\"t<1>&\"}");
    String hash = hmac(key.value());
    eventually(() -> redis().exists(hash) == 1, "the key's JSON entry");

    assertEquals(hash, redis().get(key.id()), "SET <uuid> <hash>");
    assertTrue(redis().sismember("dev@example.com", hash), "SADD <username> <hash>");
    String stored = redis().get(hash);
    JsonNode json = JSON.readTree(stored);
    assertEquals(hash, json.get("api_key").asText());
    assertEquals(List.of("dev@example.com"), List.of(json.get("labels").get(0).asText()));
    assertEquals(1, json.get("labels").size());
    assertEquals(key.id(), json.get("uuid").asText());
    JsonNode metadata = json.get("metadata");
    assertEquals(key.name(), metadata.get("name").asText());
    assertEquals("gold", metadata.get("usagePlan").asText());
    assertEquals("dev@example.com", metadata.get("username").asText());
    assertEquals("petstore", metadata.get("apiProduct").asText());
    assertEquals("blue", metadata.get("team").asText());
    assertEquals("t<1>&", metadata.get("tier").asText());
    long created = Long.parseLong(metadata.get("created-ts-unix").asText());
    assertTrue(Math.abs(created - Instant.now().getEpochSecond()) < 600, "created " + created);
    // Go's encoding/json: struct fields in order, map keys sorted, <>& escaped.
    assertTrue(
        stored.startsWith(
            "{\"api_key\":\""
                + hash
                + "\",\"labels\":[\"dev@example.com\"],"
                + "\"metadata\":{\"apiProduct\":\"petstore\",\"created-ts-unix\":"),
        stored);
    assertTrue(stored.contains("\"tier\":\"t\\u003c1\\u003e\\u0026\""), stored);
    assertTrue(stored.endsWith(",\"uuid\":\"" + key.id() + "\"}"), stored);
  }

  @Test
  void deletingOrExpiringAKeyRemovesItsEntries() throws Exception {
    Http http = new Http(base);
    Created deleted = create(http, null);
    String deletedHash = hmac(deleted.value());
    eventually(() -> redis().exists(deletedHash) == 1, "the key before deletion");
    assertEquals(
        204,
        http.api("DELETE", "api/v1/api-keys/" + deleted.id(), "dev@example.com", "dev", null)
            .statusCode());
    eventually(() -> gone(deleted.id(), deletedHash), "the deleted key's entries to go");

    Created expiring = create(http, null);
    String expiringHash = hmac(expiring.value());
    eventually(() -> redis().exists(expiringHash) == 1, "the key before expiry");
    try (Connection db = TestDatabase.connect();
        PreparedStatement expire =
            db.prepareStatement(
                "update api_key set expires_at = now() + interval '1 second' where id = ?::uuid")) {
      expire.setString(1, expiring.id());
      assertEquals(1, expire.executeUpdate());
    }
    eventually(() -> gone(expiring.id(), expiringHash), "the expired key's entries to go");
  }

  @Test
  void changesMadeWhileRedisIsDownArriveWhenItIsBack() throws Exception {
    Http http = new Http(base);
    server.kill();
    List<Created> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add(create(http, null));
    }
    for (Created key : keys.subList(0, 10)) {
      HttpResponse<String> deleted =
          http.api("DELETE", "api/v1/api-keys/" + key.id(), "dev@example.com", "dev", null);
      assertEquals(204, deleted.statusCode(), deleted.body());
    }
    server.start();
    eventually(
        () ->
            keys.subList(10, 50).stream().allMatch(k -> present(k.id(), hmac(k.value())))
                && keys.subList(0, 10).stream().allMatch(k -> gone(k.id(), hmac(k.value()))),
        "exactly the 40 live keys in Redis");
  }

  @Test
  void nothingIsLostWhenKeyportIsKilledWithChangesPending() throws Exception {
    try (KeyportNode killed = mirror.startAnother("mirror-killed")) {
      Http http = new Http(killed.url());
      server.kill();
      List<Created> keys = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        keys.add(create(http, null));
      }
      assertTrue(pendingOutboxRows() >= 5, "changes wait in the outbox while Redis is down");
      killed.kill();
      server.start();
      // Delivered from the outbox by the mirror node still up, as by any node of a cluster.
      eventually(
          () -> keys.stream().allMatch(k -> present(k.id(), hmac(k.value()))),
          "the keys created before the kill");
      eventually(() -> pendingOutboxRows() == 0, "an empty outbox");
      for (Created key : keys) {
        assertEquals(
            1,
            redis().smembers("dev@example.com").stream().filter(hmac(key.value())::equals).count());
      }
    }
  }

  @Test
  void resyncRepairsMissingStaleAndOrphanedEntriesAndLeavesOthersAlone() throws Exception {
    Http http = new Http(base);
    Created missing = create(http, null);
    Created stale = create(http, null);
    String missingHash = hmac(missing.value());
    String staleHash = hmac(stale.value());
    eventually(() -> present(missing.id(), missingHash) && present(stale.id(), staleHash), "keys");
    String goodJson = redis().get(staleHash);

    redis().del(missing.id());
    redis().set(staleHash, goodJson.replace("\"gold\"", "\"unlimited\""));
    String orphanUuid = UUID.randomUUID().toString();
    String orphanHash = hmac("kp_not-a-real-key-" + UUID.randomUUID());
    redis().set(orphanUuid, orphanHash);
    redis().set(orphanHash, goodJson.replace(staleHash, orphanHash));
    redis().set("unrelated:thing", "keep me");
    redis().sadd("someone-else", orphanHash);

    HttpResponse<String> resync =
        http.api("POST", "api/v1/admin/redis-mirror/resync", "admin@example.com", "admin", null);
    assertEquals(200, resync.statusCode(), resync.body());
    JsonNode summary = JSON.readTree(resync.body());
    assertTrue(summary.get("missing").asInt() >= 1, resync.body());
    assertTrue(summary.get("stale").asInt() >= 1, resync.body());
    assertTrue(summary.get("orphaned").asInt() >= 2, resync.body());

    assertEquals(missingHash, redis().get(missing.id()));
    assertEquals(goodJson, redis().get(staleHash));
    assertNull(redis().get(orphanUuid));
    assertNull(redis().get(orphanHash));
    assertEquals("keep me", redis().get("unrelated:thing"));
    assertTrue(redis().sismember("someone-else", orphanHash), "not a Keyport user's set");

    HttpResponse<String> refused =
        http.api("POST", "api/v1/admin/redis-mirror/resync", "dev@example.com", "dev", null);
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals("forbidden", JSON.readTree(refused.body()).get("error").asText());
  }

  private record Created(String id, String name, String value) {}

  private static Created create(Http http, String metadata) throws Exception {
    String name = "mirror-" + UUID.randomUUID();
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\""
                + name
                + "\",\"apiProduct\":\"petstore\",\"usagePlan\":\"gold\""
                + (metadata == null ? "" : ",\"metadata\":" + metadata)
                + "}");
    assertEquals(201, created.statusCode(), created.body());
    JsonNode body = JSON.readTree(created.body());
    return new Created(body.get("id").asText(), name, body.get("apiKey").asText());
  }

  private static RedisCommands<String, String> redis() {
    return server.commands();
  }

  private static boolean present(String id, String hash) {
    try {
      return hash.equals(redis().get(id))
          && redis().exists(hash) == 1
          && redis().sismember("dev@example.com", hash);
    } catch (RuntimeException redisDown) {
      return false;
    }
  }

  private static boolean gone(String id, String hash) {
    try {
      return redis().exists(id) == 0
          && redis().exists(hash) == 0
          && !redis().sismember("dev@example.com", hash);
    } catch (RuntimeException redisDown) {
      return false;
    }
  }

  private static String hmac(String key) {
    return SpecKeys.hmac(SECRET, key);
  }

  private static long pendingOutboxRows() {
    try (Connection db = TestDatabase.connect();
        PreparedStatement count =
            db.prepareStatement("select count(*) from mirror_outbox where delivered_at is null");
        ResultSet row = count.executeQuery()) {
      row.next();
      return row.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void eventually(BooleanSupplier condition, String what)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(40));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
