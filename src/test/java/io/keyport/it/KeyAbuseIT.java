package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyport.testsupport.AdminKeys;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A developer trying to get more than an administrator gave: metadata the upstream trusts as a
 * header, more keys than the plan's cap by creating them in parallel, and a fresh monthly quota by
 * deleting a key and creating another. Each test makes its own user, and its own product and plan
 * where it needs limits.
 */
@ExtendWith(KeyportServers.class)
class KeyAbuseIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEYS = "api/v1/api-keys";

  @Shared URL base;

  private record User(String username, String password) {}

  // ---------------------------------------------------------------------------------------------
  // Item 4: metadata that becomes a trusted header (the ITs run with x-team=team)

  @Test
  void aDeveloperCannotSetTeamButAnAdministratorCanAndTheUpstreamGetsIt() throws Exception {
    Http http = new Http(base);
    User dev = newDeveloper(http, "team");

    ObjectNode request = keyRequest("finance-key", "petstore", "unlimited");
    request.putObject("metadata").put("team", "finance").put("env", "ci");
    HttpResponse<String> refused =
        http.api("POST", KEYS, dev.username(), dev.password(), request.toString());
    // Should a key be made after all, its value stays out of the failure message.
    assertEquals(400, refused.statusCode(), refused.body().replaceAll("kp_\\w+", "kp_…"));
    JsonNode error = JSON.readTree(refused.body());
    assertEquals("invalid_request", error.path("error").asText());
    assertTrue(
        error.path("message").asText().contains("metadata.team is set by an administrator"),
        refused.body());
    assertEquals(0, keysInDatabase(dev.username()), "a refused creation writes no key");
    assertEquals(
        0, JSON.readTree(ok(http.api("GET", KEYS, dev.username(), dev.password(), null))).size());

    ObjectNode plain = keyRequest("finance-key", "petstore", "unlimited");
    plain.putObject("metadata").put("env", "ci");
    JsonNode created =
        created(http.api("POST", KEYS, dev.username(), dev.password(), plain.toString()));
    String value = created.path("apiKey").asText();
    HttpResponse<String> before = http.check("/petstore/pets", value);
    assertEquals(200, before.statusCode(), before.body());
    assertFalse(before.headers().firstValue("x-team").isPresent(), "no team, no x-team");

    JsonNode changed =
        AdminKeys.setMetadata(
            http, created.path("id").asText(), "{\"team\":\"finance\",\"env\":\"ci\"}");
    assertEquals("finance", changed.path("metadata").path("team").asText(), changed::toString);
    HttpResponse<String> after = http.check("/petstore/pets", value);
    assertEquals(200, after.statusCode(), after.body());
    assertEquals("finance", after.headers().firstValue("x-team").orElse(null));
  }

  // ---------------------------------------------------------------------------------------------
  // Item 6: the plan's cap on keys per user, and the monthly quota

  @Test
  void twentyParallelCreationsByOneUserGetExactlyThePlansCapOfThree() throws Exception {
    String name = unique("cap");
    TestDatabase.createProductWithPlan(name, "max_keys_per_user", "3");
    try {
      Http http = new Http(base);
      User dev = newDeveloper(http, "cap");
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(20);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          String body = keyRequest("parallel-" + i, name, name).toString();
          answers.add(
              pool.submit(
                  () -> {
                    start.await();
                    // "busy" (the password checks are full, with the other lane signing in too)
                    // says to try again in a second: a script would.
                    for (int attempt = 1; ; attempt++) {
                      HttpResponse<String> response =
                          http.api("POST", KEYS, dev.username(), dev.password(), body);
                      if (response.statusCode() != 503
                          || !response.body().contains("\"busy\"")
                          || attempt == 5) {
                        return response;
                      }
                      Thread.sleep(1_000);
                    }
                  }));
        }
        start.countDown();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        for (Future<HttpResponse<String>> answer : answers) {
          HttpResponse<String> response = answer.get(120, TimeUnit.SECONDS);
          byStatus.merge(response.statusCode(), 1, Integer::sum);
          if (response.statusCode() == 409) {
            assertEquals(
                "key_limit_reached",
                JSON.readTree(response.body()).path("error").asText(),
                response.body());
          } else {
            assertEquals(201, response.statusCode(), response.body());
          }
        }
        assertEquals(Map.of(201, 3, 409, 17), byStatus, "answers by status");
      } finally {
        pool.shutdownNow();
      }
      assertEquals(3, keysInDatabase(dev.username()), "live keys held on the plan");
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  @Test
  void aKeyMadeAfterDeletingOneOnTheSamePlanDoesNotGetAFreshMonthlyQuota() throws Exception {
    String name = unique("quota");
    TestDatabase.createProductWithPlan(name, "monthly_quota", "3");
    try {
      Http http = new Http(base);
      User dev = newDeveloper(http, "quota");
      JsonNode first =
          created(
              http.api(
                  "POST",
                  KEYS,
                  dev.username(),
                  dev.password(),
                  keyRequest("first", name, name).toString()));
      String path = "/" + name + "/items";
      for (int i = 1; i <= 3; i++) {
        HttpResponse<String> admitted = http.check(path, first.path("apiKey").asText());
        assertEquals(200, admitted.statusCode(), "request " + i + ": " + admitted.body());
      }
      assertQuotaExceeded(http.check(path, first.path("apiKey").asText()));

      HttpResponse<String> deleted =
          http.api(
              "DELETE",
              KEYS + "/" + first.path("id").asText(),
              dev.username(),
              dev.password(),
              null);
      assertEquals(204, deleted.statusCode(), deleted.body());
      JsonNode second =
          created(
              http.api(
                  "POST",
                  KEYS,
                  dev.username(),
                  dev.password(),
                  keyRequest("first", name, name).toString()));
      assertQuotaExceeded(http.check(path, second.path("apiKey").asText()));
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  @Test
  void theMonthsMeteredUsageOfADeletedKeyCountsForTheNextOneAlsoFromTheDatabase() throws Exception {
    // As after a restart: the deleted key's usage is only in key_usage, not in any node's memory.
    String name = unique("metered");
    TestDatabase.createProductWithPlan(name, "monthly_quota", "5");
    try {
      Http http = new Http(base);
      User dev = newDeveloper(http, "metered");
      JsonNode old =
          created(
              http.api(
                  "POST",
                  KEYS,
                  dev.username(),
                  dev.password(),
                  keyRequest("old", name, name).toString()));
      assertEquals(
          204,
          http.api(
                  "DELETE",
                  KEYS + "/" + old.path("id").asText(),
                  dev.username(),
                  dev.password(),
                  null)
              .statusCode());
      meter(old.path("id").asText(), 4);

      JsonNode next =
          created(
              http.api(
                  "POST",
                  KEYS,
                  dev.username(),
                  dev.password(),
                  keyRequest("next", name, name).toString()));
      String path = "/" + name + "/items";
      HttpResponse<String> last = http.check(path, next.path("apiKey").asText());
      assertEquals(200, last.statusCode(), "the fifth request of the month: " + last.body());
      assertQuotaExceeded(http.check(path, next.path("apiKey").asText()));
    } finally {
      TestDatabase.retireProduct(name);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertQuotaExceeded(HttpResponse<String> answer) {
    assertEquals(429, answer.statusCode(), answer.body());
    assertEquals("{\"error\":\"quota_exceeded\"}", answer.body());
    assertEquals("quota_exceeded", answer.headers().firstValue("x-keyport-deny").orElse(null));
  }

  private static User newDeveloper(Http http, String what) throws Exception {
    String username = unique(what) + "@example.com";
    ObjectNode user = JSON.createObjectNode();
    user.put("username", username).put("displayName", "Key abuse " + what);
    user.putArray("roles").add("developer");
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/admin/users",
            AdminKeys.ADMIN,
            AdminKeys.ADMIN_PASSWORD,
            user.toString());
    assertEquals(201, created.statusCode(), created.body());
    String temporary = JSON.readTree(created.body()).path("temporaryPassword").asText();
    return new User(username, Users.ownPassword(http, username, temporary));
  }

  private static ObjectNode keyRequest(String name, String product, String plan) {
    ObjectNode request = JSON.createObjectNode();
    request.put("apiKeyName", name).put("apiProduct", product).put("usagePlan", plan);
    return request;
  }

  private static JsonNode created(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static String ok(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  private static String unique(String what) {
    return "abuse-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static long keysInDatabase(String username) throws SQLException {
    try (Connection db = TestDatabase.connect();
        PreparedStatement count =
            db.prepareStatement(
                "select count(*) from api_key k join app_user u on u.id = k.user_id"
                    + " where u.username = ? and k.revoked_at is null")) {
      count.setString(1, username);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  /** Writes admitted requests for a key this hour, as the usage meter's flush does. */
  private static void meter(String keyId, long admitted) throws SQLException {
    try (Connection db = TestDatabase.connect();
        PreparedStatement insert =
            db.prepareStatement(
                "insert into key_usage (key_id, hour, outcome, count) values (?, ?, 'admitted', ?)")) {
      insert.setObject(1, UUID.fromString(keyId));
      insert.setTimestamp(2, java.sql.Timestamp.from(Instant.now().truncatedTo(ChronoUnit.HOURS)));
      insert.setLong(3, admitted);
      assertEquals(1, insert.executeUpdate());
    }
  }
}
