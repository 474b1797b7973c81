package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Users;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A key outlives a restart: PostgreSQL is the system of record, not the check's cache. Keyport runs
 * as a node of this test's own, started as an operator starts it (the launcher), stopped as Ctrl-C
 * stops it, and started again on a new port.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = Locks.DATABASE_LINK, mode = ResourceAccessMode.READ)
@ResourceLock(Locks.RESTARTS)
class RestartIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_PATIENCE = Duration.ofSeconds(600);

  @Test
  void aKeyAndItsMeteredRequestsOutliveARestart() throws Exception {
    String keyId;
    String keyValue;
    Users.Person person;
    try (KeyportNode before = start("restart-before")) {
      Http http = new Http(before.url());
      // A person of the test's own: nothing another class does to the demo users reaches this key.
      person = Users.create(http, "restart", "developer");
      Keys.Created key =
          Keys.create(
              http, person.username(), person.password(), "restart", "petstore", "unlimited");
      keyId = key.id();
      keyValue = key.value();
      assertPasses(http, person.username(), keyId, keyValue);

      // Metered in memory and flushed every few seconds: stopping right after these 25 requests
      // leaves them to the flush at shutdown.
      for (int i = 0; i < 25; i++) {
        assertEquals(200, http.check("/petstore/pets", keyValue).statusCode());
      }
    }

    try (KeyportNode after = start("restart-after")) {
      assertEquals(26, admittedRequests(keyId), "requests metered before the restart were lost");
      Http http = new Http(after.url());
      assertPasses(http, person.username(), keyId, keyValue);

      HttpResponse<String> list =
          http.api("GET", "api/v1/api-keys", person.username(), person.password(), null);
      assertEquals(200, list.statusCode(), list.body());
      boolean listed = false;
      for (JsonNode key : JSON.readTree(list.body())) {
        listed |= keyId.equals(key.path("id").asText());
      }
      assertTrue(listed, "the key is not listed after the restart: " + list.body());
    }
  }

  /** A Keyport of this test's own on the tests' database, ready to answer. */
  private static KeyportNode start(String name) throws Exception {
    KeyportNode node =
        KeyportNode.launch(
            name,
            // DEFAULT, beside it on the same database, mails; this node leaves that to it.
            Map.of("KEYPORT_JAVA_OPTS", "-Xmx768m -Dkeyport.notifications.dispatch=false"));
    try {
      node.awaitReady(START_PATIENCE);
    } catch (AssertionError | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private static long admittedRequests(String keyId) throws SQLException {
    try (Connection db = TestDatabase.connect();
        PreparedStatement sum =
            db.prepareStatement(
                "select coalesce(sum(count), 0) from key_usage"
                    + " where key_id = ?::uuid and outcome = 'admitted'")) {
      sum.setString(1, keyId);
      try (ResultSet row = sum.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static void assertPasses(Http http, String owner, String id, String value) {
    HttpResponse<String> check = http.check("/petstore/pets", value);
    assertEquals(200, check.statusCode(), check.body());
    assertEquals(id, check.headers().firstValue("x-api-key-id").orElse(null));
    assertEquals(owner, check.headers().firstValue("x-user-id").orElse(null));
    assertEquals("unlimited", check.headers().firstValue("x-solo-plan").orElse(null));
  }
}
