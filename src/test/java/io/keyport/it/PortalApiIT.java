package io.keyport.it;

import static io.keyport.it.TestDatabase.count;
import static io.keyport.it.TestDatabase.rows;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REST API (SPEC §8), what it stores and audits (SPEC §1, §2), and the gateway check (SPEC §3),
 * against the built WAR on Payara Micro and a real PostgreSQL. Every test makes its own keys with
 * unique names and depends on no other test.
 */
@ExtendWith(KeyportServers.class)
class PortalApiIT {

  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";

  /** The secret failsafe gives Payara as KEYPORT_KEYS_HMAC_SECRET (pom.xml). */
  private static final String HMAC_SECRET = "integration-test-secret-not-for-production";

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final Pattern KEY_SHAPE = Pattern.compile("kp_[0-9A-Za-z]{32}[0-9A-Za-z]{6}");
  private static final Pattern ERROR_WORD = Pattern.compile("[a-z][a-z_]*");
  private static final String KEYS = "api/v1/api-keys";

  /** A request path that the demo product petstore's route (prefix /petstore/) matches. */
  private static final String PETSTORE_PATH = "/petstore/pets";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  @Shared URL base;

  private Http http;

  // Developers of this class's own, made once: the demo developer's keys and audit events are also
  // written by classes in the other lane, and several tests here count what a request left behind.
  private static String dev;
  private static String devPassword;
  private static String other;
  private static String otherPassword;

  @BeforeEach
  void client() {
    http = new Http(base);
    if (dev == null) {
      Users.Person person = Users.create(http, "portal-api", "developer");
      Users.Person another = Users.create(http, "portal-api-other", "developer");
      other = another.username();
      otherPassword = another.password();
      devPassword = person.password();
      dev = person.username();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // REST API: happy paths

  @Test
  void anOwnerRenamesMovesTheExpiryAndSetsTheAllowlistOfTheirOwnKeyOnly() throws Exception {
    String name = "patch-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> made =
        http.api(
            "POST",
            KEYS,
            dev,
            devPassword,
            "{\"apiKeyName\":\"" + name + "\",\"apiProduct\":\"petstore\",\"usagePlan\":\"gold\"}");
    assertEquals(201, made.statusCode(), made.body());
    JsonNode created = parse(made.body());
    String id = created.path("id").asText();
    String expiry =
        Instant.now().plus(Duration.ofDays(40)).truncatedTo(ChronoUnit.SECONDS).toString();
    JsonNode changed =
        ok(
            http.api(
                "PATCH",
                KEYS + "/" + id,
                dev,
                devPassword,
                "{\"name\":\""
                    + name
                    + "-renamed\",\"expiresAt\":\""
                    + expiry
                    + "\",\"allowedCidrs\":[\"10.1.2.3/16\"]}"));
    assertEquals(name + "-renamed", changed.path("name").asText());
    assertEquals(Instant.parse(expiry), Instant.parse(changed.path("expiresAt").asText()));
    assertEquals("10.1.0.0/16", changed.path("allowedCidrs").get(0).asText());
    JsonNode kept =
        ok(http.api("PATCH", KEYS + "/" + id, dev, devPassword, "{\"allowedCidrs\":[]}"));
    assertEquals(name + "-renamed", kept.path("name").asText(), "an absent field stays");
    assertEquals(0, kept.path("allowedCidrs").size());

    HttpResponse<String> wrong =
        http.api("PATCH", KEYS + "/" + id, dev, devPassword, "{\"allowedCidrs\":[\"office\"]}");
    assertError(wrong, 400, "invalid_request");
    assertTrue(wrong.body().contains("'office' is not an IP address"), wrong.body());
    assertError(
        http.api(
            "PATCH", KEYS + "/" + id, dev, devPassword, "{\"expiresAt\":\"2001-01-01T00:00:00Z\"}"),
        400,
        "invalid_request");
    assertError(
        http.api("PATCH", KEYS + "/" + id, "admin@example.com", "admin", "{\"name\":\"mine\"}"),
        404,
        "not_found");
    assertEquals(
        name + "-renamed",
        ok(http.api("GET", KEYS + "/" + id, dev, devPassword, null)).path("name").asText(),
        "a refused change changed nothing");
  }

  @Test
  void meNamesTheCallerWithDisplayNameAndRoles() {
    JsonNode me = ok(http.api("GET", "api/v1/me", dev, devPassword, null));
    assertEquals(dev, me.path("username").asText());
    assertEquals("Test portal-api", me.path("displayName").asText());
    assertEquals(Set.of("developer"), texts(me.path("roles")));

    JsonNode admin = ok(http.api("GET", "api/v1/me", ADMIN, ADMIN_PASSWORD, null));
    assertEquals(ADMIN, admin.path("username").asText());
    assertEquals(Set.of("admin", "developer"), texts(admin.path("roles")));
  }

  @Test
  void apiProductsListTheDemoProductsWithTheirPlansAndRateLimits() {
    JsonNode products = ok(http.api("GET", "api/v1/api-products", dev, devPassword, null));
    assertTrue(products.isArray(), products::toString);
    Map<String, JsonNode> byId = new HashMap<>();
    products.forEach(p -> byId.put(p.path("id").asText(), p));
    assertTrue(byId.keySet().containsAll(Set.of("petstore", "tracks")), products::toString);

    JsonNode petstore = byId.get("petstore");
    assertEquals("Pet Store", petstore.path("displayName").asText());
    assertFalse(petstore.path("description").asText().isBlank(), petstore::toString);
    assertEquals("1.0.0", petstore.path("version").asText());
    Map<String, JsonNode> plans = plansByName(petstore.path("usagePlans"));
    assertEquals(Set.of("bronze", "silver", "gold", "unlimited"), plans.keySet());
    assertRateLimit(plans.get("bronze"), 1, "MINUTE");
    assertRateLimit(plans.get("silver"), 3, "MINUTE");
    assertRateLimit(plans.get("gold"), 5, "MINUTE");
    assertEquals("Gold", plans.get("gold").path("displayName").asText());
    assertTrue(plans.get("unlimited").path("rateLimit").isNull(), plans.get("unlimited")::toString);

    JsonNode tracks = byId.get("tracks");
    assertEquals("Tracks", tracks.path("displayName").asText());
    assertEquals(
        Set.of("silver", "gold", "unlimited"), plansByName(tracks.path("usagePlans")).keySet());
  }

  @Test
  void productSchemaIsItsOpenApiDocument() {
    JsonNode schema =
        ok(http.api("GET", "api/v1/api-products/petstore/schema", dev, devPassword, null));
    assertTrue(schema.path("openapi").asText().startsWith("3."), schema::toString);
    assertEquals("Pet Store", schema.path("info").path("title").asText());
    assertTrue(schema.path("paths").isObject() && schema.path("paths").size() > 0);

    assertError(
        http.api("GET", "api/v1/api-products/no-such-product/schema", dev, devPassword, null),
        404,
        "not_found");
  }

  @Test
  void aProductWithoutADocumentSaysSoNotThatItDoesNotExist() throws Exception {
    String slug = "nodoc-" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(slug, "monthly_quota", "100");
    try {
      HttpResponse<String> answer =
          http.api("GET", "api/v1/api-products/" + slug + "/schema", dev, devPassword, null);
      assertError(answer, 404, "not_found");
      assertTrue(
          parse(answer.body()).path("message").asText().contains("has no OpenAPI document"),
          answer.body());
    } finally {
      TestDatabase.retireProduct(slug);
    }
  }

  @Test
  void usagePlansListEveryPlanWithItsLimits() {
    JsonNode plans = ok(http.api("GET", "api/v1/usage-plans", dev, devPassword, null));
    Map<String, JsonNode> byName = plansByName(plans);
    assertTrue(
        byName.keySet().containsAll(Set.of("bronze", "silver", "gold", "unlimited")),
        plans::toString);
    assertRateLimit(byName.get("bronze"), 1, "MINUTE");
    assertRateLimit(byName.get("silver"), 3, "MINUTE");
    assertRateLimit(byName.get("gold"), 5, "MINUTE");
    assertTrue(byName.get("unlimited").path("rateLimit").isNull(), plans::toString);
  }

  @Test
  void aKeyIsCreatedShownOnceReadListedAndDeleted() throws Exception {
    String name = unique("lifecycle");
    // a client may send more digits than PostgreSQL keeps (microseconds)
    Instant requestedExpiry =
        Instant.now()
            .plus(30, ChronoUnit.DAYS)
            .truncatedTo(ChronoUnit.SECONDS)
            .plusNanos(123_456_789);
    ObjectNode request = keyRequest(name, "petstore", "gold");
    // A key's owner sets any metadata but the entries that become trusted headers (team: x-team).
    request.putObject("metadata").put("cost-centre", "payments").put("env", "ci");
    request.put("expiresAt", requestedExpiry.toString());

    Instant before = Instant.now();
    HttpResponse<String> response = http.api("POST", KEYS, dev, devPassword, request.toString());
    assertEquals(201, response.statusCode(), response.body());
    JsonNode created = JSON.readTree(response.body());
    String id = created.path("id").asText();
    UUID.fromString(id);
    String location = response.headers().firstValue("Location").orElse("");
    assertEquals("/" + KEYS + "/" + id, URI.create(location).getPath(), location);

    String value = created.path("apiKey").asText();
    assertTrue(KEY_SHAPE.matcher(value).matches(), "not a Keyport key: " + value);
    assertEquals(
        checksum(value.substring(0, value.length() - 6)), value.substring(value.length() - 6));
    assertAll(
        () -> assertEquals(name, created.path("name").asText()),
        () -> assertEquals("petstore", created.path("apiProduct").asText()),
        () -> assertEquals("gold", created.path("usagePlan").asText()),
        () -> assertEquals(value.substring(0, "kp_".length() + 4) + "…", hint(created)),
        () -> assertEquals(Map.of("cost-centre", "payments", "env", "ci"), metadata(created)),
        () -> {
          Instant answered = Instant.parse(created.path("expiresAt").asText());
          long offByNanos = Duration.between(requestedExpiry, answered).abs().toNanos();
          assertTrue(offByNanos < 1_000, () -> "expiresAt " + answered + " for " + requestedExpiry);
        },
        () -> assertTrue(created.path("lastUsedAt").isNull(), created::toString),
        () -> {
          Instant createdAt = Instant.parse(created.path("createdAt").asText());
          assertFalse(createdAt.isBefore(before.minusSeconds(5)), created::toString);
          assertFalse(createdAt.isAfter(Instant.now().plusSeconds(5)), created::toString);
        });

    HttpResponse<String> readBack =
        http.send(http.request(location).header("Authorization", Http.basic(dev, devPassword)));
    JsonNode one = ok(readBack);
    assertFalse(readBack.body().contains(value), "GET one shows the key value");
    assertFalse(one.has("apiKey"), one::toString);
    assertEquals(id, one.path("id").asText());
    assertEquals(name, one.path("name").asText());
    assertEquals(hint(created), hint(one));
    assertEquals(metadata(created), metadata(one));
    assertEquals(
        Instant.parse(created.path("expiresAt").asText()),
        Instant.parse(one.path("expiresAt").asText()));
    // the same instant as the create response said, not a rounded version of it
    assertEquals(
        Instant.parse(created.path("createdAt").asText()),
        Instant.parse(one.path("createdAt").asText()));

    HttpResponse<String> listed = http.api("GET", KEYS, dev, devPassword, null);
    JsonNode list = ok(listed);
    assertFalse(listed.body().contains(value), "the key list shows a key value");
    JsonNode entry = byId(list, id);
    assertNotNull(entry, "the new key is not listed: " + list);
    for (JsonNode key : list) {
      assertFalse(key.has("apiKey"), key::toString);
      for (String field :
          List.of(
              "id",
              "name",
              "apiProduct",
              "usagePlan",
              "hint",
              "metadata",
              "createdAt",
              "expiresAt",
              "lastUsedAt")) {
        assertTrue(key.has(field), () -> "no " + field + " in " + key);
      }
    }
    assertEquals("petstore", entry.path("apiProduct").asText());
    assertEquals("gold", entry.path("usagePlan").asText());
    assertEquals(hint(created), hint(entry));
    assertEquals(
        Instant.parse(created.path("createdAt").asText()),
        Instant.parse(entry.path("createdAt").asText()));

    HttpResponse<String> deleted = http.api("DELETE", KEYS + "/" + id, dev, devPassword, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals("", deleted.body());
    assertError(http.api("GET", KEYS + "/" + id, dev, devPassword, null), 404, "not_found");
    assertEquals(null, byId(ok(http.api("GET", KEYS, dev, devPassword, null)), id));
    assertError(http.api("DELETE", KEYS + "/" + id, dev, devPassword, null), 404, "not_found");
  }

  @Test
  void aNameOfExactly64CharactersIsAccepted() {
    String name = unique("n");
    name = name + "x".repeat(64 - name.length());
    JsonNode created = create(dev, devPassword, keyRequest(name, "tracks", "silver"));
    assertEquals(name, created.path("name").asText());
  }

  // ---------------------------------------------------------------------------------------------
  // REST API: errors

  @Test
  void anonymousAndWrongCredentialsGet401WithTheSameAnswerForUnknownUsers() throws Exception {
    HttpResponse<String> anonymous =
        http.send(http.request("api/v1/me").header("Accept", "application/json").GET());
    assertError(anonymous, 401, "unauthorized");
    HttpResponse<String> anonymousKeys = http.send(http.request(KEYS).GET());
    assertError(anonymousKeys, 401, "unauthorized");

    HttpResponse<String> wrongPassword = http.api("GET", "api/v1/me", dev, "not-dev", null);
    assertError(wrongPassword, 401, "unauthorized");
    HttpResponse<String> unknownUser =
        http.api("GET", "api/v1/me", "nobody-" + UUID.randomUUID() + "@example.com", "dev", null);
    assertError(unknownUser, 401, "unauthorized");
    assertEquals(wrongPassword.body(), unknownUser.body());
    assertEquals(
        wrongPassword.headers().firstValue("WWW-Authenticate"),
        unknownUser.headers().firstValue("WWW-Authenticate"));
    assertTrue(
        wrongPassword.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
        wrongPassword.headers()::toString);

    HttpResponse<String> malformedBasic =
        http.send(http.request("api/v1/me").header("Authorization", "Basic %%%not-base64").GET());
    assertError(malformedBasic, 401, "unauthorized");

    Counts before = counts(dev);
    HttpResponse<String> refusedCreate =
        http.api(
            "POST",
            KEYS,
            dev,
            "not-dev",
            keyRequest(unique("unauthorised"), "petstore", "gold").toString());
    assertError(refusedCreate, 401, "unauthorized");
    assertEquals(before, counts(dev), "a refused request changed data");
  }

  @Test
  void aKeyNeedsAName() {
    ObjectNode noName = JSON.createObjectNode().put("apiProduct", "petstore");
    noName.put("usagePlan", "gold");
    assertRefused(noName.toString(), 400, "invalid_request");
    assertRefused(keyRequest("   ", "petstore", "gold").toString(), 400, "invalid_request");
  }

  @Test
  void aKeyNameHasAtMost64Characters() {
    String name = unique("long");
    assertRefused(
        keyRequest(name + "x".repeat(65 - name.length()), "petstore", "gold").toString(),
        400,
        "invalid_request");
  }

  @Test
  void aKeyIsForAnExistingProductAndOneOfItsPlans() {
    assertRefused(
        keyRequest(unique("product"), "no-such-product", "gold").toString(),
        400,
        "invalid_request");
    // tracks does not offer bronze, though bronze exists
    assertRefused(
        keyRequest(unique("plan"), "tracks", "bronze").toString(), 400, "invalid_request");
    assertRefused(
        keyRequest(unique("plan"), "petstore", "no-such-plan").toString(), 400, "invalid_request");
  }

  @Test
  void anExpiryInThePastIsRefused() {
    ObjectNode request = keyRequest(unique("expired"), "petstore", "gold");
    request.put("expiresAt", Instant.now().minus(1, ChronoUnit.DAYS).toString());
    assertRefused(request.toString(), 400, "invalid_request");
  }

  @Test
  void aBodyThatIsNotTheExpectedJsonIsRefused() {
    assertRefused("{\"apiKeyName\": \"broken\", \"apiProduct\": ", 400, "invalid_json");
    assertRefused("this is not json", 400, "invalid_json");
    assertRefused(
        "{\"apiKeyName\": \""
            + unique("badDate")
            + "\", \"apiProduct\": \"petstore\", \"usagePlan\": \"gold\","
            + " \"expiresAt\": \"next tuesday\"}",
        400,
        "invalid_json");
    assertRefused("", 400, "invalid_json");
  }

  @Test
  void reservedMetadataNamesAreRefused() {
    for (String reserved : List.of("usagePlan", "name", "username", "apiProduct")) {
      ObjectNode request = keyRequest(unique("reserved"), "petstore", "gold");
      request.putObject("metadata").put(reserved, "shadow");
      assertRefused(request.toString(), 400, "invalid_request");
    }
  }

  @Test
  void aNameIsUniquePerUserAndProductUntilTheKeyIsDeleted() throws Exception {
    String name = unique("dup");
    JsonNode first = create(dev, devPassword, keyRequest(name, "petstore", "gold"));

    assertRefused(keyRequest(name, "petstore", "silver").toString(), 409, "name_taken");

    JsonNode otherProduct = create(dev, devPassword, keyRequest(name, "tracks", "gold"));
    assertEquals(name, otherProduct.path("name").asText());
    // another user may use the same name for the same product
    create(ADMIN, ADMIN_PASSWORD, keyRequest(name, "petstore", "gold"));

    delete(dev, devPassword, first.path("id").asText());
    JsonNode reused = create(dev, devPassword, keyRequest(name, "petstore", "gold"));
    assertNotEquals(first.path("id").asText(), reused.path("id").asText());
  }

  @Test
  void concurrentRequestsForOneNameCreateOneKey() throws Exception {
    String name = unique("race");
    String body = keyRequest(name, "petstore", "gold").toString();
    Counts before = counts(dev);
    int requests = 6;
    ExecutorService pool = Executors.newFixedThreadPool(requests);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        answers.add(
            pool.submit(
                () -> {
                  start.await();
                  return http.api("POST", KEYS, dev, devPassword, body);
                }));
      }
      start.countDown();
      int created = 0;
      for (Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
        if (response.statusCode() == 201) {
          created++;
        } else {
          assertError(response, 409, "name_taken");
        }
      }
      assertEquals(1, created, "keys created for one name");
    } finally {
      pool.shutdownNow();
    }
    Counts after = counts(dev);
    assertEquals(before.keys() + 1, after.keys());
    assertEquals(before.auditEvents() + 1, after.auditEvents());
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() {
    Counts before = counts(dev);
    for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid", "12345")) {
      assertError(http.api("GET", KEYS + "/" + id, dev, devPassword, null), 404, "not_found");
      assertError(http.api("DELETE", KEYS + "/" + id, dev, devPassword, null), 404, "not_found");
    }
    assertEquals(before, counts(dev), "a refused request changed data");
  }

  @Test
  void aUserCannotSeeReadOrDeleteAnotherUsersKey() {
    JsonNode otherKey =
        create(other, otherPassword, keyRequest(unique("others"), "petstore", "unlimited"));
    String otherId = otherKey.path("id").asText();
    JsonNode devKey = create(dev, devPassword, keyRequest(unique("devs"), "petstore", "gold"));
    String devId = devKey.path("id").asText();

    Counts otherBefore = counts(other);
    assertError(http.api("GET", KEYS + "/" + otherId, dev, devPassword, null), 404, "not_found");
    HttpResponse<String> refusedDelete =
        http.api("DELETE", KEYS + "/" + otherId, dev, devPassword, null);
    assertError(refusedDelete, 404, "not_found");
    // the answer for someone else's key is the answer for a key that does not exist
    HttpResponse<String> missing =
        http.api("DELETE", KEYS + "/" + UUID.randomUUID(), dev, devPassword, null);
    assertEquals(errorOf(missing), errorOf(refusedDelete), "another user's key is distinguishable");
    assertEquals(otherBefore, counts(other), "dev's refused delete changed the other user's data");

    JsonNode devList = ok(http.api("GET", KEYS, dev, devPassword, null));
    assertEquals(null, byId(devList, otherId));
    assertNotNull(byId(devList, devId));
    assertTrue(ownKeyIds(dev).containsAll(ids(devList)), "dev's list shows others' keys");

    JsonNode otherList = ok(http.api("GET", KEYS, other, otherPassword, null));
    assertNotNull(byId(otherList, otherId));
    assertEquals(null, byId(otherList, devId));
    assertTrue(
        ownKeyIds(other).containsAll(ids(otherList)),
        "the other user's list shows keys not theirs");

    ok(http.api("GET", KEYS + "/" + otherId, other, otherPassword, null));
    assertEquals(200, http.check(PETSTORE_PATH, otherKey.path("apiKey").asText()).statusCode());
  }

  // ---------------------------------------------------------------------------------------------
  // Audit and storage

  @Test
  void creationAndDeletionAreAuditedWithoutTheKeyValue() throws Exception {
    JsonNode created = create(dev, devPassword, keyRequest(unique("audited"), "tracks", "gold"));
    String id = created.path("id").asText();
    String value = created.path("apiKey").asText();
    assertEquals(200, http.check("/trackapi/tracks", value).statusCode());
    delete(dev, devPassword, id);

    List<Map<String, String>> events =
        rows(
            "select actor, action, target_type, target_id, client_address, details"
                + " from audit_event where target_id = ? order by id",
            id);
    assertEquals(2, events.size(), events::toString);
    Map<String, String> createdEvent = events.get(0);
    Map<String, String> deletedEvent = events.get(1);
    assertEquals("api_key.created", createdEvent.get("action"));
    assertEquals("api_key.deleted", deletedEvent.get("action"));
    for (Map<String, String> event : events) {
      assertEquals(dev, event.get("actor"), event::toString);
      assertEquals("api_key", event.get("target_type"), event::toString);
      assertEquals(id, event.get("target_id"), event::toString);
      String address = event.get("client_address");
      assertTrue(
          address != null && address.matches("[0-9A-Fa-f:.%a-z]+") && address.length() >= 2,
          event::toString);
    }

    // Neither the value nor its secret part (all after the prefix) is anywhere in the database.
    String secretPart = value.substring("kp_".length());
    for (String table : tables()) {
      assertEquals(0, rowsContaining(table, value), "the key value is stored in " + table);
      assertEquals(0, rowsContaining(table, secretPart), "the key body is stored in " + table);
    }
    assertTrue(
        tables().containsAll(Set.of("audit_event", "api_key", "api_key_metadata")),
        tables()::toString);
  }

  @Test
  void theStoredHashIsTheBase64HmacSha256OfTheKey() throws Exception {
    ObjectNode request = keyRequest(unique("hashed"), "petstore", "silver");
    request.putObject("metadata").put("env", "storage");
    JsonNode created = create(dev, devPassword, request);
    String value = created.path("apiKey").asText();

    List<Map<String, String>> stored =
        rows(
            "select key_hash, hint, name from api_key where id = ?::uuid",
            created.path("id").asText());
    assertEquals(1, stored.size());
    assertEquals(hmac(HMAC_SECRET, value), stored.get(0).get("key_hash"));
    assertEquals(44, stored.get(0).get("key_hash").length());
    assertEquals(hint(created), stored.get(0).get("hint"));
  }

  // ---------------------------------------------------------------------------------------------
  // The gateway check

  @Test
  void theCheckAllowsAValidKeyFromTheHeaderOrAsBearerToken() {
    JsonNode created =
        create(dev, devPassword, keyRequest(unique("check"), "petstore", "unlimited"));
    String value = created.path("apiKey").asText();

    HttpResponse<String> byHeader = http.check(PETSTORE_PATH, value);
    assertAllowed(byHeader, created);

    HttpResponse<String> byBearer =
        http.send(
            http.request("auth/check" + PETSTORE_PATH).header("Authorization", "Bearer " + value));
    assertAllowed(byBearer, created);

    // any HTTP method, and the original request named by X-Forwarded-* headers
    HttpResponse<String> forwarded =
        http.send(
            http.request("auth/check")
                .header("api-key", value)
                .header("X-Forwarded-Method", "POST")
                .header("X-Forwarded-Uri", "/petstore/pets?limit=5")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, forwarded.statusCode(), forwarded.headers().toString());
  }

  @Test
  void theCheckAsksForAKeyWhenThereIsNone() throws Exception {
    HttpResponse<String> denied = http.check(PETSTORE_PATH, null);
    assertDenied(denied, "missing_api_key");

    HttpResponse<String> emptyBearer =
        http.send(http.request("auth/check" + PETSTORE_PATH).header("Authorization", "Bearer "));
    assertEquals(401, emptyBearer.statusCode(), emptyBearer.body());
  }

  @Test
  void theCheckRefusesUnknownAndBadChecksumKeys() throws Exception {
    JsonNode created =
        create(dev, devPassword, keyRequest(unique("checksum"), "petstore", "unlimited"));
    String real = created.path("apiKey").asText();
    // The test's own checksum agrees with Keyport's, so the unknown key below is well formed.
    assertEquals(real, withChecksum(real.substring(0, real.length() - 6)));

    String unknown = withChecksum("kp_" + randomBase62(32));
    assertTrue(KEY_SHAPE.matcher(unknown).matches());
    assertDenied(http.check(PETSTORE_PATH, unknown), "invalid_api_key");

    char last = real.charAt(real.length() - 1);
    String badChecksum = real.substring(0, real.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertDenied(http.check(PETSTORE_PATH, badChecksum), "invalid_api_key");
    String badBody = real.substring(0, 3) + (real.charAt(3) == 'A' ? 'B' : 'A') + real.substring(4);
    assertDenied(http.check(PETSTORE_PATH, badBody), "invalid_api_key");
    assertDenied(http.check(PETSTORE_PATH, "not-a-keyport-key"), "invalid_api_key");

    // the real key itself still passes
    assertAllowed(http.check(PETSTORE_PATH, real), created);
  }

  @Test
  void theCheckRefusesADeletedKeyAtOnce() throws Exception {
    JsonNode created =
        create(dev, devPassword, keyRequest(unique("revoked"), "petstore", "unlimited"));
    String value = created.path("apiKey").asText();
    assertAllowed(http.check(PETSTORE_PATH, value), created); // now cached by the check
    assertAllowed(http.check(PETSTORE_PATH, value), created);

    delete(dev, devPassword, created.path("id").asText());
    // SPEC §3: a revocation is reflected within one second (on this one node: at once).
    Instant deadline = Instant.now().plus(Duration.ofSeconds(1));
    HttpResponse<String> after = http.check(PETSTORE_PATH, value);
    while (after.statusCode() == 200 && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
      after = http.check(PETSTORE_PATH, value);
    }
    assertDenied(after, "invalid_api_key");
  }

  @Test
  void theCheckRefusesAnExpiredKey() throws Exception {
    ObjectNode request = keyRequest(unique("expiring"), "petstore", "unlimited");
    request.put("expiresAt", Instant.now().plus(1, ChronoUnit.DAYS).toString());
    JsonNode created = create(dev, devPassword, request);
    String id = created.path("id").asText();

    // Expire it in the database before the check has ever seen it.
    try (Connection db = TestDatabase.connect();
        PreparedStatement update =
            db.prepareStatement(
                "update api_key set expires_at = now() - interval '1 minute' where id = ?::uuid")) {
      update.setString(1, id);
      assertEquals(1, update.executeUpdate());
    }
    assertDenied(http.check(PETSTORE_PATH, created.path("apiKey").asText()), "invalid_api_key");
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private static String unique(String stem) {
    return stem + "-" + UUID.randomUUID();
  }

  private static ObjectNode keyRequest(String name, String product, String plan) {
    return JSON.createObjectNode()
        .put("apiKeyName", name)
        .put("apiProduct", product)
        .put("usagePlan", plan);
  }

  private JsonNode create(String user, String password, ObjectNode request) {
    HttpResponse<String> response = http.api("POST", KEYS, user, password, request.toString());
    assertEquals(201, response.statusCode(), response.body());
    return parse(response.body());
  }

  private void delete(String user, String password, String id) {
    HttpResponse<String> response = http.api("DELETE", KEYS + "/" + id, user, password, null);
    assertEquals(204, response.statusCode(), response.body());
  }

  /** POSTs a key request as dev, expects the error, and that nothing was written. */
  private void assertRefused(String body, int status, String error) {
    Counts before = counts(dev);
    HttpResponse<String> response = http.api("POST", KEYS, dev, devPassword, body);
    assertError(response, status, error);
    assertEquals(before, counts(dev), () -> "a refused request changed data: " + body);
  }

  private static JsonNode ok(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        response.headers()::toString);
    return parse(response.body());
  }

  /** SPEC §8: {"error":"<word>","message":"<sentence>"}, and nothing else. */
  private static void assertError(HttpResponse<String> response, int status, String error) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        () -> "error without JSON content type: " + response.headers());
    JsonNode body = parse(response.body());
    assertEquals(Set.of("error", "message"), fieldNames(body), response.body());
    assertTrue(ERROR_WORD.matcher(body.path("error").asText()).matches(), response.body());
    assertEquals(error, body.path("error").asText(), response.body());
    assertTrue(body.path("message").isTextual(), response.body());
    assertFalse(body.path("message").asText().isBlank(), response.body());
  }

  private static String errorOf(HttpResponse<String> response) {
    return response.statusCode() + " " + parse(response.body()).path("error").asText();
  }

  private static void assertAllowed(HttpResponse<String> response, JsonNode key) {
    assertEquals(200, response.statusCode(), response.body());
    assertAll(
        () -> assertEquals(header(response, "x-solo-plan"), key.path("usagePlan").asText()),
        () -> assertEquals(header(response, "x-user-id"), dev),
        () -> assertEquals(header(response, "x-api-key-id"), key.path("id").asText()),
        () -> assertEquals(header(response, "x-api-product"), key.path("apiProduct").asText()),
        () -> assertEquals("", response.body()),
        () -> assertTrue(response.headers().firstValue("x-keyport-deny").isEmpty()));
  }

  private static void assertDenied(HttpResponse<String> response, String error) {
    assertEquals(401, response.statusCode(), response.body());
    assertAll(
        () -> assertEquals(error, header(response, "x-keyport-deny")),
        () -> assertEquals("APIKey header=\"api-key\"", header(response, "WWW-Authenticate")),
        () -> assertEquals(Set.of("error"), fieldNames(parse(response.body()))),
        () -> assertEquals(error, parse(response.body()).path("error").asText()),
        () -> assertTrue(header(response, "Content-Type").startsWith("application/json")),
        () -> assertTrue(response.headers().firstValue("x-user-id").isEmpty()),
        () -> assertTrue(response.headers().firstValue("x-api-key-id").isEmpty()));
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  private static void assertRateLimit(JsonNode plan, int requests, String unit) {
    assertNotNull(plan);
    assertEquals(requests, plan.path("rateLimit").path("requestsPerUnit").asInt(), plan::toString);
    assertEquals(unit, plan.path("rateLimit").path("unit").asText(), plan::toString);
  }

  private static Map<String, JsonNode> plansByName(JsonNode plans) {
    assertTrue(plans.isArray(), plans::toString);
    Map<String, JsonNode> byName = new HashMap<>();
    plans.forEach(p -> byName.put(p.path("name").asText(), p));
    return byName;
  }

  private static JsonNode byId(JsonNode keys, String id) {
    assertTrue(keys.isArray(), keys::toString);
    for (JsonNode key : keys) {
      if (id.equals(key.path("id").asText())) {
        return key;
      }
    }
    return null;
  }

  private static Set<String> ids(JsonNode keys) {
    Set<String> ids = new HashSet<>();
    keys.forEach(k -> ids.add(k.path("id").asText()));
    return ids;
  }

  private static Set<String> texts(JsonNode array) {
    assertTrue(array.isArray(), array::toString);
    Set<String> texts = new HashSet<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new HashSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String hint(JsonNode key) {
    return key.path("hint").asText();
  }

  private static Map<String, String> metadata(JsonNode key) {
    Map<String, String> metadata = new HashMap<>();
    key.path("metadata")
        .fields()
        .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    return metadata;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  // --- keys, as SPEC §2 defines them, computed here rather than by Keyport's own classes

  private static String withChecksum(String prefixAndBody) {
    return prefixAndBody + checksum(prefixAndBody);
  }

  private static String checksum(String prefixAndBody) {
    return SpecKeys.checksum(prefixAndBody);
  }

  private static String randomBase62(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(BASE62.charAt(RANDOM.nextInt(62)));
    }
    return text.toString();
  }

  private static String hmac(String secret, String key) {
    return SpecKeys.hmac(secret, key);
  }

  // --- the database, read directly

  /** What a refused request must leave alone: the user's keys (live or not) and audit events. */
  private record Counts(long keys, long liveKeys, long auditEvents) {}

  private static Counts counts(String username) {
    return new Counts(
        count(
            "select count(*) from api_key k join app_user u on u.id = k.user_id"
                + " where u.username = ?",
            username),
        count(
            "select count(*) from api_key k join app_user u on u.id = k.user_id"
                + " where u.username = ? and k.revoked_at is null",
            username),
        // What the user's requests did; a failed sign-in is audited by design (sign_in.failed).
        count(
            "select count(*) from audit_event where actor = ? and action not like 'sign_in.%'",
            username));
  }

  private static Set<String> ownKeyIds(String username) {
    Set<String> ids = new HashSet<>();
    rows(
            "select k.id::text as id from api_key k join app_user u on u.id = k.user_id"
                + " where u.username = ?",
            username)
        .forEach(r -> ids.add(r.get("id")));
    return ids;
  }

  private static List<String> tables() {
    List<String> tables = new ArrayList<>();
    rows(
            "select table_name from information_schema.tables where table_schema = ?"
                + " and table_type = 'BASE TABLE'",
            "public")
        .forEach(r -> tables.add(r.get("table_name")));
    return tables;
  }

  /** How many rows of {@code table} contain {@code text} in any column. */
  private static long rowsContaining(String table, String text) {
    if (!table.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException(table);
    }
    return count("select count(*) from " + table + " t where strpos(t::text, ?) > 0", text);
  }
}
