package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.testsupport.FormBrowser;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.PostgresPair;
import io.keyport.testsupport.Users;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Keyport on a PostgreSQL primary with a streaming replica, through a multi-host URL ({@code
 * targetServerType=primary}); the primary dies (SIGKILL) and the replica is promoted, as Patroni or
 * an operator would. The node carries on by itself: its pool and its change feed find the new
 * primary, the feed empties the key cache on reconnecting, no key is lost and none is wrongly
 * admitted. A node and two PostgreSQL servers of this test's own (the run's database is not
 * touched), so it runs in the second lane.
 */
@Execution(ExecutionMode.CONCURRENT)
class PostgresFailoverIT {

  private static final Duration START_PATIENCE = Duration.ofSeconds(600);
  private static final String PATH = "/petstore/pets";

  @Test
  void thePortalAndTheCheckCarryOnOnThePromotedReplica() throws Exception {
    try (PostgresPair postgres = PostgresPair.start();
        KeyportNode node = start(postgres)) {
      Http http = new Http(node.url());
      assertEquals(200, poll(() -> status(http, "health/ready"), 200, 240), "ready at first");
      Users.Person person = Users.create(http, "pg-failover", "developer");
      Keys.Created live = key(http, person, "pg-live");
      Keys.Created revoked = key(http, person, "pg-revoked");
      Keys.Created revokedLater = key(http, person, "pg-revoked-later");
      for (Keys.Created key : new Keys.Created[] {live, revoked, revokedLater}) {
        assertEquals(200, http.check(PATH, key.value()).statusCode(), key.name());
      }
      // Cached from the second lookup on (the first may race the key's own notification).
      Thread.sleep(500);
      assertEquals(200, http.check(PATH, live.value()).statusCode());

      HttpResponse<String> deleted =
          http.api(
              "DELETE",
              "api/v1/api-keys/" + revoked.id(),
              person.username(),
              person.password(),
              null);
      assertEquals(204, deleted.statusCode(), deleted.body());
      assertEquals(401, http.check(PATH, revoked.value()).statusCode(), "revoked before failover");
      assertTrue(
          revokedOn(postgres.connectReplica(), revoked.id()),
          "synchronous replication: the revocation is on the replica once committed");

      postgres.killPrimary();
      // No primary at all: what the node knows it keeps answering, what it does not it refuses.
      HttpResponse<String> cached = http.check(PATH, live.value());
      assertEquals(200, cached.statusCode(), "a cached key while no primary answers");
      assertNotEquals(200, http.check(PATH, revoked.value()).statusCode(), "revoked, in the gap");
      HttpResponse<String> stranger = http.check(PATH, SpecKeys.unknown());
      assertEquals(503, stranger.statusCode(), "an unknown key while no primary answers");

      postgres.promoteReplica();
      assertEquals(
          200,
          poll(() -> status(http, "health/ready"), 200, 480),
          "ready again on the promoted replica:\n" + node.logTail() + postgres.logs());
      assertEquals(
          1,
          changeFeedsOn(postgres),
          "the change feed listens on the new primary:\n" + node.logTail());

      FormBrowser browser = new FormBrowser(node.url());
      assertNotNull(
          browser.signIn(person.username(), person.password()),
          "sign-in after the failover: " + browser.lastBody);
      Keys.Created after = key(http, person, "pg-after");
      assertEquals(200, http.check(PATH, after.value()).statusCode(), "a key made after failover");
      assertEquals(200, http.check(PATH, live.value()).statusCode(), "the live key is not lost");
      assertEquals(401, http.check(PATH, revoked.value()).statusCode(), "revoked stays revoked");
      HttpResponse<String> list =
          http.api("GET", "api/v1/api-keys", person.username(), person.password(), null);
      assertEquals(200, list.statusCode(), list.body());
      assertTrue(list.body().contains(live.id()), "the live key is listed: " + list.body());

      // The pool's connections die under it (as on a host that went away): each is validated
      // as it is taken, so none is handed out dead and no lookup fails on one.
      assertTrue(terminatePoolConnections(postgres) > 0, "the pool has connections to kill");
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> unknown = http.check(PATH, SpecKeys.unknown());
        assertEquals(
            401, unknown.statusCode(), "lookup " + i + " after the pool's connections died");
      }
      HttpResponse<String> listed =
          http.api("GET", "api/v1/api-keys", person.username(), person.password(), null);
      assertEquals(200, listed.statusCode(), listed.body());

      // Revoked behind Keyport's back on the new primary: only the change feed can tell the node,
      // while it is fresh the cached key is served as it is.
      assertEquals(200, http.check(PATH, revokedLater.value()).statusCode());
      Thread.sleep(500);
      assertEquals(200, http.check(PATH, revokedLater.value()).statusCode(), "now cached");
      try (Connection db = postgres.connectReplica();
          PreparedStatement revoke =
              db.prepareStatement("update api_key set revoked_at = now() where id = ?::uuid")) {
        revoke.setString(1, revokedLater.id());
        assertEquals(1, revoke.executeUpdate());
      }
      assertEquals(
          401,
          poll(() -> http.check(PATH, revokedLater.value()).statusCode(), 401, 20),
          "a key revoked on the new primary, by its notification");
      HttpResponse<String> ready = http.send(http.request("health/ready"));
      assertEquals(200, ready.statusCode(), "the feed stayed fresh: " + ready.body());
    }
  }

  private static KeyportNode start(PostgresPair postgres) throws Exception {
    KeyportNode node =
        KeyportNode.launch(
            "pg-failover",
            Map.of(
                "KEYPORT_DB_URL",
                postgres.multiHostUrl(),
                "KEYPORT_DB_USER",
                PostgresPair.USER,
                "KEYPORT_DB_PASSWORD",
                PostgresPair.PASSWORD,
                "KEYPORT_JAVA_OPTS",
                "-Xmx512m"));
    try {
      node.awaitReady(START_PATIENCE);
    } catch (AssertionError | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private static Keys.Created key(Http http, Users.Person person, String prefix) {
    return Keys.create(http, person.username(), person.password(), prefix, "petstore", "unlimited");
  }

  private static boolean revokedOn(Connection connection, String keyId) throws SQLException {
    try (Connection db = connection;
        PreparedStatement read =
            db.prepareStatement("select revoked_at is not null from api_key where id = ?::uuid")) {
      read.setString(1, keyId);
      try (ResultSet row = read.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  /** Terminates the pool's connections (not the change feed's) on the promoted replica. */
  private static int terminatePoolConnections(PostgresPair postgres) throws SQLException {
    try (Connection db = postgres.connectReplica();
        PreparedStatement terminate =
            db.prepareStatement(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity"
                    + " where application_name = 'keyport'")) {
      try (ResultSet row = terminate.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  /** Keyport's change-feed connections on the promoted replica. */
  private static int changeFeedsOn(PostgresPair postgres) throws SQLException {
    try (Connection db = postgres.connectReplica();
        PreparedStatement count =
            db.prepareStatement(
                "select count(*) from pg_stat_activity where application_name = ?")) {
      count.setString(1, "keyport-change-feed");
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  private static int status(Http http, String path) {
    try {
      return http.send(http.request(path)).statusCode();
    } catch (IllegalStateException noAnswer) {
      return -1;
    }
  }

  /** Asks up to {@code attempts} times, a quarter second apart, until the answer is wanted. */
  private static int poll(IntSupplier probe, int wanted, int attempts) throws InterruptedException {
    int last = probe.getAsInt();
    for (int i = 1; i < attempts && last != wanted; i++) {
      Thread.sleep(250);
      last = probe.getAsInt();
    }
    return last;
  }
}
