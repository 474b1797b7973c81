package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.testsupport.AdminKeys;
import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.FormBrowser;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.RedisServer;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin console's people half (issue #6) through the admin REST API and the pages, on one
 * Payara Micro with the Redis mirror on: users (create, validate, disable, enable, optimistic
 * locking, self-protection), keys (search, plan and metadata change, revoke many), the audit log
 * (filters, CSV), the dashboard, and a developer refused everywhere. Every user and key here is the
 * test's own (unique names); the demo users and products are never changed. Steps share the one
 * Keyport and run in order; each makes the data it reads.
 */
@ExtendWith(KeyportServers.class)
@ResourceLock(value = Locks.REDIS, mode = ResourceAccessMode.READ)
class AdminPeopleIT {

  private static final String SECRET = "integration-test-secret-not-for-production";
  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";
  private static final String DEV = "dev@example.com";
  private static final String DEV_PASSWORD = "dev";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VIEW_STATE =
      Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"");

  @Shared static KeyportServer mirror;

  @Shared URL base;

  private static RedisServer server;

  /** In the names of the people a test makes; JUnit makes an instance per test. */
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void redisOfTheRun() {
    server = mirror.redis();
  }

  // ---------------------------------------------------------------------------------------------
  // Users

  @Test
  void adminCreatesALocalUserWhoSignsInWithTheTemporaryPassword() throws Exception {
    Http http = new Http(base);

    JsonNode empty =
        error(http.api("POST", "api/v1/admin/users", ADMIN, ADMIN_PASSWORD, "{}"), 400);
    assertEquals("invalid_request", empty.path("error").asText());
    assertEquals(
        Set.of("username", "displayName", "roles"),
        fieldNames(empty.path("fields")),
        empty::toString);
    JsonNode bad =
        error(
            http.api(
                "POST",
                "api/v1/admin/users",
                ADMIN,
                ADMIN_PASSWORD,
                "{\"username\":\"not-an-address\",\"displayName\":\""
                    + "x".repeat(201)
                    + "\","
                    + "\"roles\":[\"root\"]}"),
            400);
    assertTrue(bad.path("fields").path("username").asText().contains("e-mail"), bad::toString);
    assertTrue(bad.path("fields").path("displayName").asText().contains("200"), bad::toString);
    assertTrue(bad.path("fields").path("roles").asText().contains("developer"), bad::toString);
    assertEquals(
        "invalid_json",
        error(http.api("POST", "api/v1/admin/users", ADMIN, ADMIN_PASSWORD, "{"), 400)
            .path("error")
            .asText());

    String alice = "alice-" + run + "@example.com";
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/admin/users",
            ADMIN,
            ADMIN_PASSWORD,
            "{\"username\":\"  Alice-"
                + run
                + "@Example.COM \",\"displayName\":\" Alice A. \","
                + "\"roles\":[\"developer\"]}");
    assertEquals(201, created.statusCode(), created.body());
    JsonNode user = JSON.readTree(created.body());
    assertEquals(alice, user.path("username").asText(), "usernames are kept in lower case");
    assertEquals("Alice A.", user.path("displayName").asText());
    assertEquals(List.of("developer"), texts(user.path("roles")));
    assertTrue(user.path("enabled").asBoolean());
    assertTrue(user.path("local").asBoolean());
    assertEquals(0, user.path("liveKeys").asInt());
    String alicePassword = user.path("temporaryPassword").asText();
    assertTrue(alicePassword.matches("[A-Za-z2-9]{20}"), "temporary password shape");
    assertTrue(user.path("passwordChangeRequired").asBoolean(), created.body());
    // A temporary password opens nothing until its owner chooses their own (one more version).
    assertEquals(403, http.api("GET", "api/v1/me", alice, alicePassword, null).statusCode());
    alicePassword = Users.ownPassword(http, alice, alicePassword);
    assertTrue(
        created
            .headers()
            .firstValue("Location")
            .orElse("")
            .endsWith("/api/v1/admin/users/" + alice));

    JsonNode taken =
        error(
            http.api(
                "POST",
                "api/v1/admin/users",
                ADMIN,
                ADMIN_PASSWORD,
                "{\"username\":\"" + alice + "\",\"displayName\":\"Again\",\"roles\":[\"admin\"]}"),
            409);
    assertEquals("username_taken", taken.path("error").asText());

    // The developer API keeps SPEC §8's error body; only the admin API adds "fields".
    JsonNode developerError =
        error(
            http.api(
                "POST",
                "api/v1/api-keys",
                alice,
                alicePassword,
                "{\"apiKeyName\":\"\",\"apiProduct\":\"petstore\",\"usagePlan\":\"gold\"}"),
            400);
    assertEquals(Set.of("error", "message"), fieldNames(developerError));

    JsonNode me = ok(http.api("GET", "api/v1/me", alice, alicePassword, null));
    assertEquals(alice, me.path("username").asText());
    assertEquals(List.of("developer"), texts(me.path("roles")));

    JsonNode one = ok(http.api("GET", "api/v1/admin/users/" + alice, ADMIN, ADMIN_PASSWORD, null));
    assertEquals(user.path("lockVersion").asLong() + 1, one.path("lockVersion").asLong());
    assertFalse(one.has("temporaryPassword"), "the password is shown once, at creation");
    assertEquals(
        "not_found",
        error(
                http.api(
                    "GET",
                    "api/v1/admin/users/nobody-" + run + "@example.com",
                    ADMIN,
                    ADMIN_PASSWORD,
                    null),
                404)
            .path("error")
            .asText());

    JsonNode found =
        ok(http.api("GET", "api/v1/admin/users?q=ALICE-" + run, ADMIN, ADMIN_PASSWORD, null));
    assertEquals(List.of(alice), usernames(found));
    assertEquals(
        List.of(),
        usernames(
            ok(
                http.api(
                    "GET",
                    "api/v1/admin/users?q=alice-" + run + "&role=admin",
                    ADMIN,
                    ADMIN_PASSWORD,
                    null))));
    assertEquals(
        List.of(alice),
        usernames(
            ok(
                http.api(
                    "GET",
                    "api/v1/admin/users?q=alice-" + run + "&role=developer&enabled=true",
                    ADMIN,
                    ADMIN_PASSWORD,
                    null))));
    assertEquals(
        "enabled",
        error(http.api("GET", "api/v1/admin/users?enabled=maybe", ADMIN, ADMIN_PASSWORD, null), 400)
            .path("fields")
            .fieldNames()
            .next());

    JsonNode audit = singleEvent(http, "action=user.created&targetId=" + alice);
    assertEquals(ADMIN, audit.path("actor").asText());
    assertEquals("", audit.path("details").path("username").path("before").asText());
    assertEquals(alice, audit.path("details").path("username").path("after").asText());
    assertEquals("developer", audit.path("details").path("roles").path("after").asText());
    assertFalse(audit.toString().contains(alicePassword), "no password in the audit log");
  }

  @Test
  void disablingAUserRefusesTheirKeyAtOnceEndsTheirSessionsAndEmptiesTheMirror() throws Exception {
    Http http = new Http(base);
    String alice = "alice-" + run + "@example.com";
    String alicePassword = createUser(http, alice, "developer", "Alice A.");
    Key key = createKey(http, alice, alicePassword, "petstore", "gold", null);
    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());
    eventually(() -> inRedis(key, alice), "alice's key in Redis");

    FormBrowser session = new FormBrowser(base);
    assertEquals("/portal/products.xhtml", session.signIn(alice, alicePassword));
    assertEquals(200, session.get("api/v1/me").statusCode(), "signed in by the form");

    long version = version(http, alice);
    JsonNode disabled =
        patchUser(http, alice, "{\"lockVersion\":" + version + ",\"enabled\":false}", 200);
    assertFalse(disabled.path("enabled").asBoolean());
    assertEquals(version + 1, disabled.path("lockVersion").asLong());

    // At once: no waiting between the admin's answer and these.
    HttpResponse<String> refused = http.check("/petstore/pets", key.value());
    assertEquals(401, refused.statusCode(), refused.body());
    assertEquals("invalid_api_key", refused.headers().firstValue("x-keyport-deny").orElse(null));
    assertEquals(401, http.api("GET", "api/v1/me", alice, alicePassword, null).statusCode());
    assertEquals(401, session.get("api/v1/me").statusCode(), "the open session ends");
    FormBrowser again = new FormBrowser(base);
    assertEquals(null, again.signIn(alice, alicePassword), "the login form refuses");
    assertTrue(again.lastBody.contains("Wrong e-mail address or password"), "login message");
    eventually(() -> notInRedis(key, alice), "alice's key to leave Redis");

    JsonNode stale =
        error(
            http.api(
                "PATCH",
                "api/v1/admin/users/" + alice,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"lockVersion\":" + version + ",\"displayName\":\"Overwriter\"}"),
            409);
    assertEquals("version_conflict", stale.path("error").asText());
    assertTrue(stale.path("message").asText().contains("Reload"), stale::toString);
    assertEquals("Alice A.", user(http, alice).path("displayName").asText());

    JsonNode enabled =
        patchUser(http, alice, "{\"lockVersion\":" + (version + 1) + ",\"enabled\":true}", 200);
    assertTrue(enabled.path("enabled").asBoolean());
    HttpResponse<String> admitted = http.check("/petstore/pets", key.value());
    assertEquals(200, admitted.statusCode(), admitted.body());
    assertEquals(200, http.api("GET", "api/v1/me", alice, alicePassword, null).statusCode());
    assertEquals("/portal/products.xhtml", new FormBrowser(base).signIn(alice, alicePassword));
    eventually(() -> inRedis(key, alice), "alice's key back in Redis");

    List<JsonNode> updates = events(http, "action=user.updated&targetId=" + alice);
    assertEquals(2, updates.size(), updates::toString);
    JsonNode disabling = updates.get(1); // newest first
    assertEquals("true", disabling.path("details").path("enabled").path("before").asText());
    assertEquals("false", disabling.path("details").path("enabled").path("after").asText());
    assertFalse(disabling.path("details").has("displayName"), "only changed fields");
    assertEquals("true", updates.get(0).path("details").path("enabled").path("after").asText());
  }

  @Test
  void userChangesAreValidatedWholeAndAnAdminCannotDisableOrDemoteThemself() throws Exception {
    Http http = new Http(base);
    String boss = "boss-" + run + "@example.com";
    JsonNode created =
        ok(
            http.api(
                "POST",
                "api/v1/admin/users",
                ADMIN,
                ADMIN_PASSWORD,
                "{\"username\":\""
                    + boss
                    + "\",\"displayName\":\"Boss\","
                    + "\"roles\":[\"admin\",\"developer\"]}"),
            201);
    String bossPassword = Users.ownPassword(http, boss, created.path("temporaryPassword").asText());
    long version = created.path("lockVersion").asLong() + 1;

    JsonNode self =
        error(
            http.api(
                "PATCH",
                "api/v1/admin/users/" + boss,
                boss,
                bossPassword,
                "{\"lockVersion\":" + version + ",\"enabled\":false}"),
            409);
    assertEquals("cannot_change_self", self.path("error").asText());
    assertEquals("enabled", self.path("fields").fieldNames().next());
    JsonNode demote =
        error(
            http.api(
                "PATCH",
                "api/v1/admin/users/" + boss,
                boss,
                bossPassword,
                "{\"lockVersion\":" + version + ",\"roles\":[\"developer\"]}"),
            409);
    assertEquals("cannot_change_self", demote.path("error").asText());
    assertTrue(demote.path("message").asText().contains("another administrator"), demote::toString);

    JsonNode partial =
        error(
            http.api(
                "PATCH",
                "api/v1/admin/users/" + boss,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"lockVersion\":" + version + ",\"displayName\":\"Renamed\",\"roles\":[]}"),
            400);
    assertEquals(Set.of("roles"), fieldNames(partial.path("fields")));
    JsonNode noVersion =
        error(
            http.api(
                "PATCH",
                "api/v1/admin/users/" + boss,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"displayName\":\"Renamed\"}"),
            400);
    assertEquals(Set.of("lockVersion"), fieldNames(noVersion.path("fields")));
    JsonNode unchanged = user(http, boss);
    assertEquals("Boss", unchanged.path("displayName").asText(), "no partial write");
    assertEquals(List.of("admin", "developer"), texts(unchanged.path("roles")));
    assertTrue(unchanged.path("enabled").asBoolean());
    assertEquals(version, unchanged.path("lockVersion").asLong());

    // Another admin may demote them: the signed-in roles follow at once.
    JsonNode demoted =
        patchUser(
            http,
            boss,
            "{\"lockVersion\":"
                + version
                + ",\"displayName\":\"Former Boss\",\"roles\":[\"developer\"]}",
            200);
    assertEquals(List.of("developer"), texts(demoted.path("roles")));
    assertEquals(403, http.api("GET", "api/v1/admin/users", boss, bossPassword, null).statusCode());
    JsonNode change = singleEvent(http, "action=user.updated&targetId=" + boss);
    assertEquals("admin,developer", change.path("details").path("roles").path("before").asText());
    assertEquals("developer", change.path("details").path("roles").path("after").asText());
    assertEquals("Boss", change.path("details").path("displayName").path("before").asText());
    assertEquals("Former Boss", change.path("details").path("displayName").path("after").asText());
  }

  // ---------------------------------------------------------------------------------------------
  // Keys

  @Test
  void aPlanOrMetadataChangeReachesTheCheckAtOnceAndRewritesTheMirror() throws Exception {
    Http http = new Http(base);
    String bob = "bob-" + run + "@example.com";
    String bobPassword = createUser(http, bob, "developer");
    Key key = createKey(http, bob, bobPassword, "petstore", "gold", null);
    // team becomes the trusted x-team header: an administrator sets it, never the key's owner.
    AdminKeys.setMetadata(http, key.id(), "{\"team\":\"blue\"}");
    HttpResponse<String> before = http.check("/petstore/pets", key.value());
    assertEquals("gold", before.headers().firstValue("x-solo-plan").orElse(null));
    assertEquals("blue", before.headers().firstValue("x-team").orElse(null));
    eventually(() -> inRedis(key, bob), "bob's key in Redis");

    HttpResponse<String> search =
        http.api(
            "GET",
            "api/v1/admin/api-keys?user=BOB-"
                + run
                + "&apiProduct=petstore&usagePlan=gold"
                + "&status=active&hint="
                + URLEncoder.encode(key.hint(), StandardCharsets.UTF_8),
            ADMIN,
            ADMIN_PASSWORD,
            null);
    JsonNode found = ok(search);
    assertEquals(1, found.size(), found::toString);
    assertEquals("1", search.headers().firstValue("X-Total-Count").orElse(null));
    JsonNode listed = found.get(0);
    assertEquals(key.id(), listed.path("id").asText());
    assertEquals(bob, listed.path("owner").asText());
    assertEquals("active", listed.path("status").asText());
    assertFalse(listed.toString().contains(key.value()), "never the key value");
    assertEquals(
        0,
        ok(http.api(
                "GET",
                "api/v1/admin/api-keys?user=bob-" + run + "&usagePlan=silver",
                ADMIN,
                ADMIN_PASSWORD,
                null))
            .size());
    assertEquals(
        Set.of("status"),
        fieldNames(
            error(
                    http.api(
                        "GET", "api/v1/admin/api-keys?status=lost", ADMIN, ADMIN_PASSWORD, null),
                    400)
                .path("fields")));
    assertEquals(
        Set.of("limit"),
        fieldNames(
            error(
                    http.api("GET", "api/v1/admin/api-keys?limit=x", ADMIN, ADMIN_PASSWORD, null),
                    400)
                .path("fields")));

    long version = listed.path("lockVersion").asLong();
    String path = "api/v1/admin/api-keys/" + key.id();
    assertEquals(
        Set.of("lockVersion"),
        fieldNames(
            error(http.api("PATCH", path, ADMIN, ADMIN_PASSWORD, "{\"usagePlan\":\"silver\"}"), 400)
                .path("fields")));
    assertEquals(
        Set.of("usagePlan"),
        fieldNames(
            error(
                    http.api(
                        "PATCH",
                        path,
                        ADMIN,
                        ADMIN_PASSWORD,
                        "{\"lockVersion\":" + version + ",\"usagePlan\":\"platinum\"}"),
                    400)
                .path("fields")));
    assertEquals(
        Set.of("metadata"),
        fieldNames(
            error(
                    http.api(
                        "PATCH",
                        path,
                        ADMIN,
                        ADMIN_PASSWORD,
                        "{\"lockVersion\":"
                            + version
                            + ",\"usagePlan\":\"silver\",\"metadata\":{\"usagePlan\":\"x\"}}"),
                    400)
                .path("fields")));
    assertEquals(
        "gold",
        http.check("/petstore/pets", key.value()).headers().firstValue("x-solo-plan").orElse(null),
        "a refused change changes nothing");

    JsonNode changed =
        ok(
            http.api(
                "PATCH",
                path,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"lockVersion\":"
                    + version
                    + ",\"usagePlan\":\"silver\",\"metadata\":{\"team\":\"red\",\"tier\":\"t1\"}}"));
    assertEquals("silver", changed.path("usagePlan").asText());
    assertEquals("red", changed.path("metadata").path("team").asText());
    assertNotEquals(version, changed.path("lockVersion").asLong());

    HttpResponse<String> after = http.check("/petstore/pets", key.value());
    assertEquals(200, after.statusCode(), after.body());
    assertEquals("silver", after.headers().firstValue("x-solo-plan").orElse(null));
    assertEquals("red", after.headers().firstValue("x-team").orElse(null));
    assertEquals("3", after.headers().firstValue("RateLimit-Limit").orElse(null), "silver: 3/min");
    eventually(
        () -> {
          JsonNode json = mirrorJson(key);
          return json != null
              && "silver".equals(json.path("metadata").path("usagePlan").asText())
              && "red".equals(json.path("metadata").path("team").asText())
              && "t1".equals(json.path("metadata").path("tier").asText());
        },
        "the mirror JSON with plan silver and the new metadata");

    JsonNode conflict =
        error(
            http.api(
                "PATCH",
                path,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"lockVersion\":" + version + ",\"usagePlan\":\"bronze\"}"),
            409);
    assertEquals("version_conflict", conflict.path("error").asText());

    // Only plans the key's own product offers: tracks has no bronze.
    Key tracks = createKey(http, bob, bobPassword, "tracks", "silver", null);
    JsonNode notOffered =
        error(
            http.api(
                "PATCH",
                "api/v1/admin/api-keys/" + tracks.id(),
                ADMIN,
                ADMIN_PASSWORD,
                "{\"lockVersion\":0,\"usagePlan\":\"bronze\"}"),
            400);
    assertTrue(
        notOffered.path("message").asText().contains("has no usage plan"), notOffered::toString);

    List<JsonNode> updates = events(http, "action=api_key.updated&targetId=" + key.id());
    assertEquals(2, updates.size(), "team set, then plan and metadata changed: " + updates);
    JsonNode details =
        updates.stream()
            .map(e -> e.path("details"))
            .filter(d -> d.has("usagePlan"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no plan change among " + updates));
    assertEquals("gold", details.path("usagePlan").path("before").asText());
    assertEquals("silver", details.path("usagePlan").path("after").asText());
    assertEquals("blue", details.path("metadata.team").path("before").asText());
    assertEquals("red", details.path("metadata.team").path("after").asText());
    assertEquals("", details.path("metadata.tier").path("before").asText());
    assertEquals("t1", details.path("metadata.tier").path("after").asText());
  }

  @Test
  void manyKeysAreRevokedTogetherWithAReasonOrNoneAre() throws Exception {
    Http http = new Http(base);
    String bob = "bob-" + run + "@example.com";
    String bobPassword = createUser(http, bob, "developer");
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      keys.add(createKey(http, bob, bobPassword, "petstore", "unlimited", null));
    }
    for (Key key : keys) {
      eventually(() -> inRedis(key, bob), "bob's new key in Redis");
    }
    String two = "[\"" + keys.get(0).id() + "\",\"" + keys.get(1).id() + "\"]";
    String revocations = "api/v1/admin/api-keys/revocations";

    assertEquals(
        Set.of("ids", "reason"),
        fieldNames(
            error(
                    http.api(
                        "POST",
                        revocations,
                        ADMIN,
                        ADMIN_PASSWORD,
                        "{\"ids\":[],\"reason\":\" \"}"),
                    400)
                .path("fields")));
    JsonNode unknown =
        error(
            http.api(
                "POST",
                revocations,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"ids\":[\""
                    + keys.get(0).id()
                    + "\",\""
                    + UUID.randomUUID()
                    + "\"],\"reason\":\"cleanup\"}"),
            404);
    assertTrue(unknown.path("message").asText().contains("nothing was revoked"), unknown::toString);
    assertEquals(200, http.check("/petstore/pets", keys.get(0).value()).statusCode());

    JsonNode revoked =
        ok(
            http.api(
                "POST",
                revocations,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"ids\":" + two + ",\"reason\":\"Leaked in ticket SEC-42\"}"));
    assertEquals(2, revoked.path("revoked").size());
    for (JsonNode key : revoked.path("revoked")) {
      assertEquals("revoked", key.path("status").asText());
      assertEquals("Leaked in ticket SEC-42", key.path("revokedReason").asText());
    }
    assertEquals(401, http.check("/petstore/pets", keys.get(0).value()).statusCode());
    assertEquals(401, http.check("/petstore/pets", keys.get(1).value()).statusCode());
    assertEquals(200, http.check("/petstore/pets", keys.get(2).value()).statusCode());
    eventually(
        () -> notInRedis(keys.get(0), bob) && notInRedis(keys.get(1), bob),
        "the revoked keys to leave Redis");
    assertTrue(inRedis(keys.get(2), bob), "the third key stays in Redis");

    JsonNode again =
        error(
            http.api(
                "POST",
                revocations,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"ids\":[\"" + keys.get(0).id() + "\"],\"reason\":\"again\"}"),
            409);
    assertEquals("already_revoked", again.path("error").asText());

    JsonNode one =
        ok(
            http.api(
                "GET", "api/v1/admin/api-keys/" + keys.get(0).id(), ADMIN, ADMIN_PASSWORD, null));
    assertEquals("revoked", one.path("status").asText());
    assertFalse(one.path("revokedAt").isNull());
    Set<String> owned = new HashSet<>();
    ok(http.api("GET", "api/v1/api-keys", bob, bobPassword, null))
        .forEach(k -> owned.add(k.path("id").asText()));
    assertFalse(owned.contains(keys.get(0).id()), "gone from the owner's list");
    assertTrue(owned.contains(keys.get(2).id()));

    JsonNode audit = singleEvent(http, "action=api_key.revoked&targetId=" + keys.get(1).id());
    assertEquals("ACTIVE", audit.path("details").path("status").path("before").asText());
    assertEquals("REVOKED", audit.path("details").path("status").path("after").asText());
    assertEquals(
        "Leaked in ticket SEC-42",
        audit.path("details").path("revokedReason").path("after").asText());
  }

  // ---------------------------------------------------------------------------------------------
  // Audit log, dashboard

  @Test
  void theAuditLogFiltersAndExportsCsvSafeForSpreadsheets() throws Exception {
    Http http = new Http(base);
    String bob = "bob-" + run + "@example.com";
    createUser(http, bob, "developer");
    String alice = "alice-" + run + "@example.com";
    createUser(http, alice, "developer", "Alice A.");
    patchUser(
        http,
        alice,
        "{\"lockVersion\":" + version(http, alice) + ",\"displayName\":\"Alice B.\"}",
        200);
    String formula = "=cmd-" + run + "@example.com";
    createUser(http, formula, "developer");

    assertEquals(1, events(http, "actor=ADMIN@example&action=user.created&targetId=" + bob).size());
    assertEquals(
        0,
        events(http, "targetId=" + bob + "&from=" + Instant.now().plus(1, ChronoUnit.HOURS))
            .size());
    assertEquals(
        1,
        events(
                http,
                "action=user.created&targetType=user&targetId="
                    + bob
                    + "&from="
                    + Instant.now().minus(1, ChronoUnit.HOURS)
                    + "&to="
                    + Instant.now().plus(1, ChronoUnit.HOURS))
            .size());
    assertEquals(
        Set.of("from"),
        fieldNames(
            error(
                    http.api(
                        "GET",
                        "api/v1/admin/audit-events?from=yesterday",
                        ADMIN,
                        ADMIN_PASSWORD,
                        null),
                    400)
                .path("fields")));

    HttpResponse<String> csv =
        http.send(
            http.request("api/v1/admin/audit-events/export?targetType=user&targetId=" + run)
                .header("Authorization", Http.basic(ADMIN, ADMIN_PASSWORD))
                .GET());
    assertEquals(200, csv.statusCode(), csv.body());
    assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    assertTrue(csv.headers().firstValue("Content-Disposition").orElse("").contains("attachment"));
    List<String> lines = csv.body().lines().toList();
    assertEquals(
        "id,occurredAt,actor,action,targetType,targetId,details,clientAddress", lines.get(0));
    String formulaRow =
        lines.stream()
            .filter(l -> l.contains("cmd-" + run) && l.contains("\"user.created\""))
            .findFirst()
            .orElseThrow();
    assertTrue(formulaRow.contains(",\"'" + formula + "\","), formulaRow);
    assertTrue(formulaRow.contains("\"user.created\""), formulaRow);
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("\"" + alice + "\"") && l.contains("user.updated")),
        "alice's changes in the export");
    assertTrue(
        lines.stream().skip(1).noneMatch(l -> l.startsWith("=") || l.contains(",=")),
        "no cell starts a formula");
  }

  @Test
  void theDashboardSummarisesUsersKeysTrafficAndTheMirror() throws Exception {
    Http http = new Http(base);
    String bob = "bob-" + run + "@example.com";
    String bobPassword = createUser(http, bob, "developer");
    Key busy = createKey(http, bob, bobPassword, "petstore", "unlimited", null);
    for (int i = 0; i < 30; i++) {
      assertEquals(200, http.check("/petstore/pets", busy.value()).statusCode());
    }
    assertEquals(403, http.check("/trackapi/tracks", busy.value()).statusCode());
    // People and keys of this test's own for the totals below, whatever ran before it.
    for (int i = 0; i < 3; i++) {
      String other = "other" + i + "-" + run + "@example.com";
      createKey(http, other, createUser(http, other, "developer"), "petstore", "unlimited", null);
    }

    JsonNode summary = ok(http.api("GET", "api/v1/admin/dashboard", ADMIN, ADMIN_PASSWORD, null));
    assertTrue(summary.path("users").asLong() >= 5, summary::toString);
    assertTrue(summary.path("apiProducts").asLong() >= 2);
    assertTrue(summary.path("liveKeys").asLong() >= 4);
    assertTrue(summary.path("keysCreatedLast7Days").asLong() >= 4);
    JsonNode minutes = summary.path("lastHourPerMinuteThisNode");
    assertEquals(60, minutes.size());
    long admitted = 0;
    long routeRefused = 0;
    for (JsonNode minute : minutes) {
      admitted += minute.path("counts").path("admitted").asLong();
      routeRefused += minute.path("counts").path("route_not_allowed").asLong();
    }
    assertTrue(admitted >= 30, "admitted in the last hour: " + admitted);
    assertTrue(routeRefused >= 1, "refused for the route: " + routeRefused);
    assertEquals(24, summary.path("last24HoursPerHour").size());
    assertTrue(summary.path("mirror").path("enabled").asBoolean());
    assertTrue(summary.path("mirror").path("lagSeconds").isNumber());

    // key_usage is written in batches every 5 s: the key's usage follows within seconds.
    String usagePath = "api/v1/admin/api-keys/" + busy.id() + "/usage";
    eventually(
        () -> {
          JsonNode usage = get(http, usagePath);
          long refused = 0;
          for (JsonNode hour : usage.path("hours")) {
            refused += hour.path("refused").asLong();
          }
          return usage.path("admittedThisMonth").asLong() == 30 && refused == 1;
        },
        "the busy key's usage: 30 admitted, 1 refused");
    assertEquals(24, get(http, usagePath).path("hours").size());
    JsonNode top = get(http, "api/v1/admin/dashboard").path("topKeys");
    long previous = Long.MAX_VALUE;
    JsonNode busyTop = null;
    for (JsonNode key : top) {
      long total = key.path("admitted").asLong() + key.path("refused").asLong();
      assertTrue(total <= previous, "busiest first: " + top);
      previous = total;
      if (busy.id().equals(key.path("id").asText())) {
        busyTop = key;
      }
    }
    if (busyTop != null) {
      assertEquals(30, busyTop.path("admitted").asLong());
      assertEquals(1, busyTop.path("refused").asLong());
      assertEquals(bob, busyTop.path("owner").asText());
    } else {
      // Other test classes share the database; their keys may all be busier.
      assertEquals(10, top.size(), top::toString);
      assertTrue(previous >= 31, "the busy key would be among the top ten: " + top);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Access

  @Test
  void aDeveloperIsRefusedOnEveryAdminCallAndPage() throws Exception {
    Http http = new Http(base);
    String alice = "alice-" + run + "@example.com";
    createUser(http, alice, "developer", "Alice A.");
    String someKey =
        ok(http.api("GET", "api/v1/admin/api-keys?limit=1", ADMIN, ADMIN_PASSWORD, null))
            .get(0)
            .path("id")
            .asText();
    List<String[]> calls =
        List.of(
            new String[] {"GET", "api/v1/admin/users", null},
            new String[] {"GET", "api/v1/admin/users/" + alice, null},
            new String[] {
              "POST",
              "api/v1/admin/users",
              "{\"username\":\"x-"
                  + run
                  + "@example.com\",\"displayName\":\"X\",\"roles\":[\"admin\"]}"
            },
            new String[] {
              "PATCH", "api/v1/admin/users/" + DEV, "{\"lockVersion\":0,\"roles\":[\"admin\"]}"
            },
            new String[] {"GET", "api/v1/admin/api-keys", null},
            new String[] {"GET", "api/v1/admin/api-keys/" + someKey, null},
            new String[] {"GET", "api/v1/admin/api-keys/" + someKey + "/usage", null},
            new String[] {
              "PATCH",
              "api/v1/admin/api-keys/" + someKey,
              "{\"lockVersion\":0,\"usagePlan\":\"gold\"}"
            },
            new String[] {
              "POST",
              "api/v1/admin/api-keys/revocations",
              "{\"ids\":[\"" + someKey + "\"],\"reason\":\"x\"}"
            },
            new String[] {"GET", "api/v1/admin/audit-events", null},
            new String[] {"GET", "api/v1/admin/audit-events/export", null},
            new String[] {"GET", "api/v1/admin/dashboard", null},
            new String[] {"GET", "api/v1/admin/redis-mirror", null});
    for (String[] call : calls) {
      HttpResponse<String> refused = http.api(call[0], call[1], DEV, DEV_PASSWORD, call[2]);
      assertEquals(403, refused.statusCode(), call[0] + " " + call[1] + ": " + refused.body());
      JsonNode body = JSON.readTree(refused.body());
      assertEquals("forbidden", body.path("error").asText(), call[1]);
      assertTrue(body.path("message").asText().contains("admin role"), call[1]);
    }
    assertEquals(List.of("developer"), texts(user(http, DEV).path("roles")), "nothing changed");
    assertEquals(
        "active",
        ok(http.api("GET", "api/v1/admin/api-keys/" + someKey, ADMIN, ADMIN_PASSWORD, null))
            .path("status")
            .asText());

    String openapi = http.send(http.request("openapi").GET()).body();
    for (String path :
        List.of(
            "/api/v1/admin/users",
            "/api/v1/admin/api-keys/revocations",
            "/api/v1/admin/audit-events/export",
            "/api/v1/admin/dashboard")) {
      assertTrue(openapi.contains(path), "/openapi describes " + path);
    }

    List<String[]> pages =
        List.of(
            new String[] {"admin/dashboard.xhtml", "Dashboard"},
            new String[] {"admin/users.xhtml", "Users"},
            new String[] {"admin/keys.xhtml", "All API keys"},
            new String[] {"admin/key.xhtml?id=" + someKey, "Key details"},
            new String[] {"admin/audit.xhtml", "Audit log"},
            new String[] {"admin/mirror.xhtml", "Redis mirror"});
    // Pages take no HTTP Basic (docs/security-web.md): each person signs in on the login page.
    FormBrowser developer = new FormBrowser(base);
    assertNotNull(developer.signIn(DEV, DEV_PASSWORD), "the developer signs in");
    FormBrowser admin = new FormBrowser(base);
    assertNotNull(admin.signIn(ADMIN, ADMIN_PASSWORD), "the admin signs in");
    for (String[] page : pages) {
      HttpResponse<String> refused = developer.page(page[0]);
      assertEquals(403, refused.statusCode(), page[0]);
      assertTrue(refused.body().contains("Not allowed"), page[0] + ": the forbidden page");
      HttpResponse<String> shown = admin.page(page[0]);
      assertEquals(200, shown.statusCode(), page[0]);
      assertTrue(shown.body().contains(page[1]), page[0] + " shows " + page[1]);
      assertFalse(shown.body().contains("Something went wrong"), page[0] + " renders");
    }
  }

  @Test
  void anAdminWalksThroughTheConsoleInABrowser() throws Exception {
    Http http = new Http(base);
    String alice = "alice-" + run + "@example.com";
    createUser(http, alice, "developer", "Alice A.");
    String bob = "bob-" + run + "@example.com";
    String bobPassword = createUser(http, bob, "developer");
    // A fifth user for the dashboard's count, whatever ran before this test.
    createUser(http, "other-" + run + "@example.com", "developer");
    // Traffic of this test's own in the dashboard's last hour (this node's, in memory).
    Key used = createKey(http, bob, bobPassword, "petstore", "unlimited", null);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.check("/petstore/pets", used.value()).statusCode());
    }
    eventually(() -> meteredRows(used.id()) > 0, "the key's usage flushed to the database");
    String busyKey =
        get(new Http(base), "api/v1/admin/api-keys?limit=1&user=" + bob).get(0).path("id").asText();
    try (Chromium chromium = Chromium.start()) {
      WebDriver browser = chromium.browser();
      WebDriverWait wait = chromium.waiting();
      try {
        browser.get(base + "login.xhtml");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login:username")))
            .sendKeys(ADMIN);
        browser.findElement(By.id("login:password")).sendKeys(ADMIN_PASSWORD);
        browser.findElement(By.id("login:submit")).click();

        // An admin lands on the dashboard.
        wait.until(ExpectedConditions.urlContains("/admin/dashboard.xhtml"));
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Dashboard"));
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#lastHour canvas")));
        assertTrue(
            Long.parseLong(
                    browser
                        .findElement(By.cssSelector("#statUsers .kp-stat-value"))
                        .getText()
                        .trim())
                >= 5);
        assertFalse(
            browser.findElement(By.id("topKeys")).getText().contains("No key has been used"),
            "the busiest keys are listed");
        chromium.fullPageScreenshot("admin-dashboard.png");

        // Users: search this run's users.
        browser.findElement(By.id("navUsers:link")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Users"));
        WebElement query = browser.findElement(By.id("usersForm:query"));
        query.sendKeys(run);
        browser.findElement(By.id("usersForm:search")).click();
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("usersForm:users"), alice));
        chromium.screenshot("admin-users.png");

        // A new user: the form names the fields at fault, then shows the password once.
        browser.findElement(By.id("newUser")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("createForm:newUsername")));
        chromium.settled();
        browser.findElement(By.id("createForm:create")).click();
        WebElement required =
            wait.until(
                ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("[id='createDialog'] .ui-message-error")));
        assertTrue(required.getText().contains("e-mail"), "field message: " + required.getText());
        String carol = "carol-" + run + "@example.com";
        browser.findElement(By.id("createForm:newUsername")).sendKeys(carol);
        browser.findElement(By.id("createForm:newDisplayName")).sendKeys("Carol Example");
        browser.findElement(By.id("createForm:create")).click();
        String password =
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("temporaryPassword")))
                .getText()
                .trim();
        assertTrue(password.matches("[A-Za-z2-9]{20}"), "the temporary password is shown");
        chromium.screenshot("admin-new-user.png");
        browser.findElement(By.id("createForm:done")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("temporaryPassword")));
        assertEquals(
            403, new Http(base).api("GET", "api/v1/me", carol, password, null).statusCode());

        // Keys: bob's, then one key's details with its usage.
        browser.get(
            base + "admin/keys.xhtml?user=" + URLEncoder.encode(bob, StandardCharsets.UTF_8));
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "All API keys"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("keysForm:keys"), bob));
        chromium.screenshot("admin-keys.png");
        browser.get(base + "admin/key.xhtml?id=" + busyKey);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#usage canvas")));
        assertTrue(browser.findElement(By.id("keyOwner")).getText().contains(bob));
        chromium.fullPageScreenshot("admin-key.png");

        // The audit log, filtered to this run's users.
        browser.get(base + "admin/audit.xhtml?targetId=" + run);
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Audit log"));
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("auditForm:events"), carol));
        chromium.screenshot("admin-audit.png");
      } catch (AssertionError | RuntimeException failure) {
        chromium.keepEvidence("admin-failure");
        throw failure;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private record Key(String id, String hint, String value) {}

  private String createUser(Http http, String username, String role) throws Exception {
    return createUser(http, username, role, "Test " + run);
  }

  /** A local user made by the admin; their temporary password. */
  private static String createUser(Http http, String username, String role, String displayName)
      throws Exception {
    JsonNode created =
        ok(
            http.api(
                "POST",
                "api/v1/admin/users",
                ADMIN,
                ADMIN_PASSWORD,
                "{\"username\":\""
                    + username
                    + "\",\"displayName\":\""
                    + displayName
                    + "\","
                    + "\"roles\":[\""
                    + role
                    + "\"]}"),
            201);
    return Users.ownPassword(http, username, created.path("temporaryPassword").asText());
  }

  private static Key createKey(
      Http http, String owner, String password, String product, String plan, String metadata)
      throws Exception {
    JsonNode created =
        ok(
            http.api(
                "POST",
                "api/v1/api-keys",
                owner,
                password,
                "{\"apiKeyName\":\"admin-it-"
                    + UUID.randomUUID()
                    + "\",\"apiProduct\":\""
                    + product
                    + "\",\"usagePlan\":\""
                    + plan
                    + "\""
                    + (metadata == null ? "" : ",\"metadata\":" + metadata)
                    + "}"),
            201);
    return new Key(
        created.path("id").asText(),
        created.path("hint").asText().replace("…", ""),
        created.path("apiKey").asText());
  }

  private static JsonNode get(Http http, String path) {
    try {
      return ok(http.api("GET", path, ADMIN, ADMIN_PASSWORD, null));
    } catch (Exception e) {
      throw new AssertionError(path, e);
    }
  }

  private static JsonNode user(Http http, String username) throws Exception {
    return ok(http.api("GET", "api/v1/admin/users/" + username, ADMIN, ADMIN_PASSWORD, null));
  }

  private static long version(Http http, String username) throws Exception {
    return user(http, username).path("lockVersion").asLong();
  }

  private static JsonNode patchUser(Http http, String username, String body, int status)
      throws Exception {
    return ok(
        http.api("PATCH", "api/v1/admin/users/" + username, ADMIN, ADMIN_PASSWORD, body), status);
  }

  private static List<JsonNode> events(Http http, String query) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    ok(http.api("GET", "api/v1/admin/audit-events?" + query, ADMIN, ADMIN_PASSWORD, null))
        .forEach(events::add);
    return events;
  }

  private static JsonNode singleEvent(Http http, String query) throws Exception {
    List<JsonNode> events = events(http, query);
    assertEquals(1, events.size(), query + ": " + events);
    return events.get(0);
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    return ok(response, 200);
  }

  private static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static JsonNode error(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        "JSON error body");
    JsonNode body = JSON.readTree(response.body());
    assertFalse(body.path("message").asText().isBlank(), "an error says what to do");
    return body;
  }

  private static Set<String> fieldNames(JsonNode fields) {
    Set<String> names = new HashSet<>();
    fields.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static List<String> usernames(JsonNode users) {
    List<String> names = new ArrayList<>();
    users.forEach(u -> names.add(u.path("username").asText()));
    return names;
  }

  private static long meteredRows(String keyId) {
    try (Connection db = TestDatabase.connect();
        PreparedStatement count =
            db.prepareStatement("select count(*) from key_usage where key_id = ?::uuid")) {
      count.setString(1, keyId);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RedisCommands<String, String> redis() {
    return server.commands();
  }

  private static boolean inRedis(Key key, String owner) {
    String hash = SpecKeys.hmac(SECRET, key.value());
    return hash.equals(redis().get(key.id()))
        && redis().exists(hash) == 1
        && redis().sismember(owner, hash);
  }

  private static boolean notInRedis(Key key, String owner) {
    String hash = SpecKeys.hmac(SECRET, key.value());
    return redis().exists(key.id()) == 0
        && redis().exists(hash) == 0
        && !redis().sismember(owner, hash);
  }

  private static JsonNode mirrorJson(Key key) {
    String json = redis().get(SpecKeys.hmac(SECRET, key.value()));
    try {
      return json == null ? null : JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("the mirror holds no JSON: " + json, e);
    }
  }

  private static void eventually(BooleanSupplier condition, String what)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
