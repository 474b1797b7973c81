package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.testsupport.AdminKeys;
import io.keyport.testsupport.FormBrowser;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.RedisServer;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The Redis mirror (SPEC §5) against a real Redis: Gloo's exact layout, removal on delete and
 * expiry, nothing lost while Redis is down or when Keyport is killed, and resync. The tests share
 * the run's mirror node and Redis, and each makes keys of its own; the one that kills Keyport
 * (SIGKILL) starts a node of its own to kill.
 */
@ExtendWith(KeyportServers.class)
@ResourceLock(Locks.REDIS)
class MirrorIT {

  private static final String SECRET = "integration-test-secret-not-for-production";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Shared static KeyportServer mirror;

  @Shared URL base;

  private static RedisServer server;

  @BeforeAll
  static void redisOfTheRun() {
    server = mirror.redis();
  }

  /** Redis back up for the next test and the next class, if a test killed it and then failed. */
  @AfterEach
  void redisBack() throws Exception {
    server.ensureRunning();
  }

  @Test
  void aNewKeyIsInRedisInGloosLayoutFieldByField() throws Exception {
    Http http = new Http(base);
    Created key = create(http, "{\"tier\":\"t<1>&\"}");
    // team becomes the trusted x-team header: an administrator sets it, never the key's owner.
    AdminKeys.setMetadata(http, key.id(), "{\"team\":\"blue\",\"tier\":\"t<1>&\"}");
    String hash = hmac(key.value());
    eventually(
        () -> String.valueOf(redis().get(hash)).contains("\"team\""),
        "the key's JSON entry with the metadata the administrator set");

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
  void aPlanWideKeyIsInRedisWithoutAnApiProductAsGloosOwnKeysAre() throws Exception {
    Http http = new Http(base);
    HttpResponse<String> made =
        http.api(
            "POST",
            "v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"usagePlan\":\"gold\",\"apiKeyName\":\"mirror-wide-"
                + UUID.randomUUID().toString().substring(0, 8)
                + "\"}");
    assertEquals(201, made.statusCode(), made.body());
    String id = Http.field(made.body(), "id");
    String hash = hmac(Http.field(made.body(), "apiKey"));
    eventually(() -> redis().get(hash) != null, "the plan-wide key's JSON entry");
    assertEquals(hash, redis().get(id), "SET <uuid> <hash>");
    assertTrue(redis().sismember("dev@example.com", hash), "SADD <username> <hash>");
    JsonNode metadata = JSON.readTree(redis().get(hash)).get("metadata");
    assertEquals("gold", metadata.get("usagePlan").asText());
    assertFalse(metadata.has("apiProduct"), metadata.toString());
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

  /**
   * One user's set is taken over by a foreign value (a {@code WRONGTYPE} for {@code SADD}): that
   * user's change is set aside as a dead letter, every other user's changes still reach Redis in
   * order, the admin API lists the dead letter with its error, and a resync after Redis is fixed
   * retries it.
   */
  @Test
  void aPoisonedUserSetIsSetAsideAndOthersChangesStillFlow() throws Exception {
    Http http = new Http(base);
    HttpResponse<String> reserved =
        http.api(
            "POST",
            "api/v1/admin/users",
            "admin@example.com",
            "admin",
            "{\"username\":\"keyport:quota-"
                + UUID.randomUUID()
                + "@example.com\",\"displayName\":\"Clash\",\"roles\":[\"developer\"]}");
    assertEquals(400, reserved.statusCode(), "a username in Keyport's Redis namespace");
    String poisoned = "poisoned-" + UUID.randomUUID() + "@example.com";
    String poisonedPassword = newUser(http, poisoned);
    redis().set(poisoned, "not a set of Keyport's");

    Created blocked = create(http, poisoned, poisonedPassword, null);
    Created other = create(http, null);
    String otherHash = hmac(other.value());
    eventually(() -> present(other.id(), otherHash), "the other user's new key");
    assertEquals(
        204,
        http.api("DELETE", "api/v1/api-keys/" + other.id(), "dev@example.com", "dev", null)
            .statusCode());
    eventually(() -> gone(other.id(), otherHash), "the other user's deletion to reach Redis");

    JsonNode dead = eventuallyDeadLetter(http, blocked.id());
    assertEquals(poisoned, dead.get("username").asText(), dead.toString());
    assertTrue(dead.get("error").asText().contains("WRONGTYPE"), dead.toString());
    assertTrue(dead.get("attempts").asInt() >= 1, dead.toString());
    assertNotNull(dead.get("failedAt").asText(null), dead.toString());
    JsonNode state = state(http);
    assertTrue(state.get("deadLetterCount").asInt() >= 1, state.toString());
    FormBrowser admin = new FormBrowser(base);
    assertNotNull(admin.signIn("admin@example.com", "admin"), admin.lastBody);
    String page = admin.page("admin/mirror.xhtml").body();
    assertTrue(page.contains(blocked.id()) && page.contains("WRONGTYPE"), "the admin page");

    redis().del(poisoned);
    HttpResponse<String> resync =
        http.api("POST", "api/v1/admin/redis-mirror/resync", "admin@example.com", "admin", null);
    assertEquals(200, resync.statusCode(), resync.body());
    String blockedHash = hmac(blocked.value());
    eventually(
        () -> {
          try {
            return redis().sismember(poisoned, blockedHash)
                && deadLetterOf(state(http), blocked.id()) == null;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        "the retried dead letter to be delivered");
  }

  private record Created(String id, String name, String value) {}

  private static String newUser(Http http, String username) throws Exception {
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/admin/users",
            "admin@example.com",
            "admin",
            "{\"username\":\""
                + username
                + "\",\"displayName\":\"Mirror IT\",\"roles\":[\"developer\"]}");
    assertEquals(201, created.statusCode(), created.body());
    return Users.ownPassword(
        http, username, JSON.readTree(created.body()).get("temporaryPassword").asText());
  }

  private static JsonNode state(Http http) throws Exception {
    HttpResponse<String> state =
        http.api("GET", "api/v1/admin/redis-mirror", "admin@example.com", "admin", null);
    assertEquals(200, state.statusCode(), state.body());
    return JSON.readTree(state.body());
  }

  private static JsonNode deadLetterOf(JsonNode state, String keyId) {
    for (JsonNode letter : state.path("deadLetters")) {
      if (keyId.equals(letter.path("keyId").asText())) {
        return letter;
      }
    }
    return null;
  }

  private static JsonNode eventuallyDeadLetter(Http http, String keyId) throws Exception {
    JsonNode[] found = new JsonNode[1];
    eventually(
        () -> {
          try {
            found[0] = deadLetterOf(state(http), keyId);
            return found[0] != null;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        "the poisoned change as a dead letter");
    return found[0];
  }

  private static Created create(Http http, String metadata) throws Exception {
    return create(http, "dev@example.com", "dev", metadata);
  }

  private static Created create(Http http, String username, String password, String metadata)
      throws Exception {
    String name = "mirror-" + UUID.randomUUID();
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            username,
            password,
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
