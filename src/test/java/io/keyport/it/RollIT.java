package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyport.testsupport.FormBrowser;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Rolling a key with a grace (SPEC §11) on the shared DEFAULT node with its Redis mirror: the old
 * and the new value pass during a short real grace and the old one is refused after it, an owner
 * ends a grace early, bad input and other users' keys are refused, the mirror holds both values and
 * then only the new, the Redis pair's nodes agree; and the Kubernetes Secret answer parses as a v1
 * Secret whose value appears nowhere else.
 */
@ExtendWith(KeyportServers.class)
@ResourceLock(value = Locks.REDIS, mode = ResourceAccessMode.READ)
class RollIT {

  private static final String SECRET = "integration-test-secret-not-for-production";
  private static final int ATTEMPTS = 300;

  @Shared static KeyportServer node;

  @Shared URL base;

  @Test
  void theOldValuePassesDuringTheGraceAndIsRefusedAfterItInTheCheckAndInRedis() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "roll", "petstore", "unlimited");
    String oldHash = hmac(key.value());
    eventually(() -> key.id().equals(hashOwner(oldHash)), "the key in Redis");

    HttpResponse<String> rolled = roll(http, key.id(), "{\"gracePeriodSeconds\":8}");
    assertEquals(201, rolled.statusCode(), rolled.body());
    assertEquals(key.id(), Http.field(rolled.body(), "id"));
    String value = Http.field(rolled.body(), "apiKey");
    assertNotEquals(key.value(), value);
    assertTrue(value.startsWith(Http.field(rolled.body(), "hint").replace("…", "")));
    assertFalse(Http.field(rolled.body(), "previousValidUntil").isBlank());
    String newHash = hmac(value);

    // The same key: the check names the same id for both values.
    HttpResponse<String> before = http.check("/petstore/pets", key.value());
    HttpResponse<String> after = http.check("/petstore/pets", value);
    assertEquals(200, before.statusCode(), "the old value during its grace");
    assertEquals(200, after.statusCode(), "the new value");
    assertEquals(key.id(), before.headers().firstValue("x-api-key-id").orElseThrow());
    assertEquals(key.id(), after.headers().firstValue("x-api-key-id").orElseThrow());
    eventually(
        () ->
            newHash.equals(redis().get(key.id()))
                && redis().exists(oldHash) == 1
                && redis().exists(newHash) == 1
                && redis().sismember(Keys.DEV, oldHash)
                && redis().sismember(Keys.DEV, newHash),
        "both values' entries in Redis during the grace");

    attemptsUntil(() -> http.check("/petstore/pets", key.value()).statusCode() == 401);
    assertEquals(
        "invalid_api_key",
        http.check("/petstore/pets", key.value()).headers().firstValue("x-keyport-deny").get());
    assertEquals(200, http.check("/petstore/pets", value).statusCode(), "the new value after");
    eventually(
        () ->
            redis().exists(oldHash) == 0
                && !redis().sismember(Keys.DEV, oldHash)
                && newHash.equals(redis().get(key.id()))
                && redis().exists(newHash) == 1
                && redis().sismember(Keys.DEV, newHash),
        "only the new value's entries in Redis after the grace");
    assertEquals(1, auditRows(key.id(), "api_key.rolled"));
    assertEquals(1, rolledEvents(key.id()), "key.rolled in the notification outbox");
    assertNoValueStored(key.value(), value);
  }

  @Test
  void anOwnerEndsTheGraceEarly() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "roll-end", "petstore", "unlimited");
    HttpResponse<String> rolled = roll(http, key.id(), "{\"gracePeriodSeconds\":86400}");
    assertEquals(201, rolled.statusCode(), rolled.body());
    String value = Http.field(rolled.body(), "apiKey");
    String oldHash = hmac(key.value());
    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());
    HttpResponse<String> previous =
        http.api("GET", "api/v1/api-keys/" + key.id() + "/previous", Keys.DEV, "dev", null);
    assertEquals(200, previous.statusCode(), previous.body());
    eventually(() -> redis().exists(oldHash) == 1, "the old value in Redis during the grace");

    HttpResponse<String> ended =
        http.api("DELETE", "api/v1/api-keys/" + key.id() + "/previous", Keys.DEV, "dev", null);
    assertEquals(204, ended.statusCode(), ended.body());
    attemptsUntil(() -> http.check("/petstore/pets", key.value()).statusCode() == 401);
    assertEquals(200, http.check("/petstore/pets", value).statusCode());
    eventually(
        () -> redis().exists(oldHash) == 0 && !redis().sismember(Keys.DEV, oldHash),
        "the old value's entries out of Redis");
    HttpResponse<String> again =
        http.api("DELETE", "api/v1/api-keys/" + key.id() + "/previous", Keys.DEV, "dev", null);
    assertEquals(409, again.statusCode(), again.body());
    assertEquals(
        404,
        http.api("GET", "api/v1/api-keys/" + key.id() + "/previous", Keys.DEV, "dev", null)
            .statusCode());
    assertEquals(1, auditRows(key.id(), "api_key.grace_ended"));
  }

  @Test
  void badGracePeriodsAreRefusedAndChangeNothing() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "roll-bad", "petstore", "unlimited");
    for (String body :
        new String[] {
          "{\"gracePeriodSeconds\":-1}",
          "{\"gracePeriodSeconds\":2592001}",
          "{\"gracePeriodSeconds\":\"soon\"}",
          "{}",
          "not json"
        }) {
      HttpResponse<String> refused = roll(http, key.id(), body);
      assertEquals(400, refused.statusCode(), body + " → " + refused.body());
      assertFalse(Http.field(refused.body(), "message").isBlank(), refused.body());
    }
    HttpResponse<String> noBody =
        http.api("POST", "api/v1/api-keys/" + key.id() + "/roll", Keys.DEV, "dev", null);
    assertEquals(400, noBody.statusCode(), noBody.body());
    assertTrue(Http.field(noBody.body(), "message").contains("gracePeriodSeconds"));
    assertEquals(hmac(key.value()), storedHash(key.id()), "the key's value is unchanged");
    assertEquals(0, auditRows(key.id(), "api_key.rolled"));
    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());
  }

  @Test
  void anotherUsersKeyIsNotFound() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "roll-other", "petstore", "unlimited");
    Users.Person other = Users.create(http, "roll-other", "developer");
    String path = "api/v1/api-keys/" + key.id();
    assertEquals(
        404,
        http.api(
                "POST",
                path + "/roll",
                other.username(),
                other.password(),
                "{\"gracePeriodSeconds\":0}")
            .statusCode());
    assertEquals(
        404,
        http.api("DELETE", path + "/previous", other.username(), other.password(), null)
            .statusCode());
    assertEquals(
        404,
        http.api(
                "POST",
                "api/v1/api-keys/" + UUID.randomUUID() + "/roll",
                Keys.DEV,
                "dev",
                "{\"gracePeriodSeconds\":0}")
            .statusCode());
    assertEquals(hmac(key.value()), storedHash(key.id()));
  }

  @Test
  void aRollWithoutGraceRefusesTheOldValueAtOnceOnEveryNode(
      @Shared(ServerConfig.REDIS_MODE_A) KeyportServer nodeA,
      @Shared(ServerConfig.REDIS_MODE_B) KeyportServer nodeB)
      throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "roll-nodes", "petstore", "unlimited");
    // Every node has the old value cached before the roll.
    assertEquals(200, nodeA.http().check("/petstore/pets", key.value()).statusCode());
    assertEquals(200, nodeB.http().check("/petstore/pets", key.value()).statusCode());
    HttpResponse<String> rolled = roll(http, key.id(), "{\"gracePeriodSeconds\":0}");
    assertEquals(201, rolled.statusCode(), rolled.body());
    String value = Http.field(rolled.body(), "apiKey");
    for (KeyportServer other : new KeyportServer[] {nodeA, nodeB}) {
      attemptsUntil(() -> other.http().check("/petstore/pets", key.value()).statusCode() == 401);
      assertEquals(200, other.http().check("/petstore/pets", value).statusCode());
    }
    assertEquals(401, http.check("/petstore/pets", key.value()).statusCode());
  }

  @Test
  void theRestApiAnswersAKubernetesSecretForYaml() throws Exception {
    Http http = new Http(base);
    String name = "roll-yaml-" + UUID.randomUUID();
    HttpResponse<String> created =
        http.send(
            http.request("api/v1/api-keys")
                .header("Authorization", Http.basic(Keys.DEV, "dev"))
                .header("Accept", "application/yaml")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"apiKeyName\":\""
                            + name
                            + "\",\"apiProduct\":\"petstore\",\"usagePlan\":\"unlimited\","
                            + "\"metadata\":{\"tier\":\"t1\"}}")));
    assertEquals(201, created.statusCode(), created.body());
    assertTrue(
        created.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
    Secret secret = Serialization.unmarshal(created.body(), Secret.class);
    assertEquals("v1", secret.getApiVersion());
    assertEquals("Secret", secret.getKind());
    assertEquals("extauth.solo.io/apikey", secret.getType());
    assertEquals("dev_example.com", secret.getMetadata().getLabels().get("keyport.io/user"));
    assertEquals("unlimited", secret.getMetadata().getLabels().get("keyport.io/plan"));
    assertEquals("petstore", secret.getMetadata().getLabels().get("keyport.io/product"));
    String value = decoded(secret, "api-key");
    String id = decoded(secret, "uuid");
    assertEquals("keyport-" + id, secret.getMetadata().getName());
    assertEquals(name, decoded(secret, "name"));
    assertEquals("unlimited", decoded(secret, "usagePlan"));
    assertEquals("petstore", decoded(secret, "apiProduct"));
    assertEquals(Keys.DEV, decoded(secret, "username"));
    assertEquals("t1", decoded(secret, "tier"));
    assertEquals(200, http.check("/petstore/pets", value).statusCode());

    HttpResponse<String> rolled =
        http.send(
            http.request("api/v1/api-keys/" + id + "/roll")
                .header("Authorization", Http.basic(Keys.DEV, "dev"))
                .header("Accept", "application/yaml")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"gracePeriodSeconds\":60}")));
    assertEquals(201, rolled.statusCode(), rolled.body());
    Secret next = Serialization.unmarshal(rolled.body(), Secret.class);
    assertEquals("extauth.solo.io/apikey", next.getType());
    assertEquals(secret.getMetadata().getName(), next.getMetadata().getName());
    String newValue = decoded(next, "api-key");
    assertNotEquals(value, newValue);
    assertEquals(200, http.check("/petstore/pets", newValue).statusCode());
    assertEquals(200, http.check("/petstore/pets", value).statusCode());
    assertNoValueStored(value, newValue);
  }

  @Test
  void keysExpiringWithinSevenDaysAreOnTheOwnersKeysPageAndTheAdminDashboard() throws Exception {
    Http http = new Http(base);
    Keys.Created soon = Keys.create(http, "expiring-soon", "petstore", "unlimited");
    Keys.Created later = Keys.create(http, "expiring-later", "petstore", "unlimited");
    expire(http, soon.id(), java.time.Instant.now().plus(java.time.Duration.ofDays(3)));
    expire(http, later.id(), java.time.Instant.now().plus(java.time.Duration.ofDays(20)));

    FormBrowser owner = new FormBrowser(base);
    owner.signIn(Keys.DEV, "dev");
    String keysPage = owner.page("/portal/keys.xhtml").body();
    String reminder = keysPage.substring(keysPage.indexOf("id=\"expiringSoon\""));
    reminder = reminder.substring(0, reminder.indexOf("</ul>"));
    assertTrue(reminder.contains(soon.name()), "the 3-day key is on the reminder");
    assertFalse(reminder.contains(later.name()), "the 20-day key is not");

    FormBrowser admin = new FormBrowser(base);
    admin.signIn(Users.ADMIN, Users.ADMIN_PASSWORD);
    String dashboard = admin.page("/admin/dashboard.xhtml").body();
    String expiring = dashboard.substring(dashboard.indexOf("id=\"expiring\""));
    expiring = expiring.substring(0, expiring.indexOf("id=\"topKeys\""));
    assertTrue(expiring.contains(soon.name()), "the 3-day key is on the dashboard");
    assertFalse(expiring.contains(later.name()), "the 20-day key is not");
  }

  private static void expire(Http http, String id, java.time.Instant at) {
    HttpResponse<String> changed =
        http.api(
            "PATCH", "api/v1/api-keys/" + id, Keys.DEV, "dev", "{\"expiresAt\":\"" + at + "\"}");
    assertEquals(200, changed.statusCode(), changed.body());
  }

  private void assertNoValueStored(String... values) throws Exception {
    String log = node.log();
    try (Connection db = TestDatabase.connect()) {
      for (String value : values) {
        assertFalse(log.contains(value), "a key value in the server log");
        for (String table :
            new String[] {"api_key", "audit_event", "mirror_outbox", "notification_event"}) {
          try (PreparedStatement find =
              db.prepareStatement(
                  "select count(*) from " + table + " t where t::text like '%' || ? || '%'")) {
            find.setString(1, value);
            try (ResultSet row = find.executeQuery()) {
              row.next();
              assertEquals(0, row.getLong(1), "a key value in table " + table);
            }
          }
        }
      }
    }
  }

  private static String decoded(Secret secret, String field) {
    String data = secret.getData().get(field);
    assertTrue(data != null, "data." + field + " in " + secret.getData().keySet());
    return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> roll(Http http, String id, String body) {
    return http.api("POST", "api/v1/api-keys/" + id + "/roll", Keys.DEV, "dev", body);
  }

  private static String storedHash(String id) throws Exception {
    try (Connection db = TestDatabase.connect();
        PreparedStatement read =
            db.prepareStatement("select key_hash from api_key where id = ?::uuid")) {
      read.setString(1, id);
      try (ResultSet row = read.executeQuery()) {
        assertTrue(row.next());
        return row.getString(1);
      }
    }
  }

  /** The key id Redis names for a hash's JSON, or null. */
  private static String hashOwner(String hash) {
    String json = redis().get(hash);
    return json == null ? null : Http.field(json, "uuid");
  }

  private static RedisCommands<String, String> redis() {
    return node.redis().commands();
  }

  private static String hmac(String key) {
    return SpecKeys.hmac(SECRET, key);
  }

  private static void attemptsUntil(BooleanSupplier condition) throws InterruptedException {
    for (int attempt = 1; !condition.getAsBoolean(); attempt++) {
      if (attempt == ATTEMPTS) {
        throw new AssertionError("not so after " + attempt + " polls 100 ms apart");
      }
      Thread.sleep(100);
    }
  }

  private static void eventually(BooleanSupplier condition, String what)
      throws InterruptedException {
    for (int attempt = 1; !condition.getAsBoolean(); attempt++) {
      if (attempt == ATTEMPTS) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static long auditRows(String id, String action) {
    return TestDatabase.count(
        "select count(*) from audit_event where target_id = ? and action = ?", id, action);
  }

  private static long rolledEvents(String id) {
    return TestDatabase.count(
        "select count(*) from notification_event where type = 'key.rolled'"
            + " and body like '%' || ? || '%'",
        id);
  }
}
