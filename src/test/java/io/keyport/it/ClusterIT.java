package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Keyport nodes over one PostgreSQL: a change committed through one node, or straight in the
 * database, reaches the other node's check (LISTEN/NOTIFY), and a node whose notification
 * connection was cut catches up after reconnecting. How fast a change travels is bench/'s to
 * measure; here the nodes are polled a bounded number of times, so a slow machine cannot fail it.
 */
@ExtendWith(KeyportServers.class)
class ClusterIT {

  /** Polls before a node is said never to have seen a change: a minute at 100 ms apart. */
  private static final int ATTEMPTS = 600;

  @Shared(ServerConfig.REDIS_MODE_A)
  URL a;

  @Shared(ServerConfig.REDIS_MODE_B)
  URL b;

  @Test
  void aKeyDeletedOnOneNodeIsRefusedOnTheOther() throws Exception {
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);
    String[] key = create(nodeA, "unlimited");
    assertEquals(200, nodeB.check("/petstore/pets", key[1]).statusCode(), "cached on B");
    assertEquals(
        204,
        nodeA
            .api("DELETE", "api/v1/api-keys/" + key[0], "dev@example.com", "dev", null)
            .statusCode());
    attemptsUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 401);
  }

  @Test
  void aChangedPlanLimitIsEnforcedOnEveryNode() throws Exception {
    // A product and plan of this test's own, so other tests' view of the demo data is unchanged.
    String plan = "it-" + UUID.randomUUID().toString().substring(0, 8);
    String path = "/" + plan + "/things";
    TestDatabase.createProductWithPlan(plan, "requests_per_unit, rate_unit", "1000, 'MINUTE'");
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);
    String[] key = create(nodeB, plan, plan);
    HttpResponse<String> before = nodeA.check(path, key[1]);
    assertEquals(200, before.statusCode(), before.body());
    assertEquals("1000", before.headers().firstValue("RateLimit-Limit").orElse(null));
    try (Connection db = TestDatabase.connect();
        PreparedStatement lower =
            db.prepareStatement("update usage_plan set requests_per_unit = 2 where name = ?")) {
      lower.setString(1, plan);
      lower.executeUpdate();
    }
    attemptsUntil(() -> limitOf(nodeA.check(path, key[1])).equals("2") ? 1 : 0, 1);
    TestDatabase.retireProduct(plan);
  }

  @Test
  void aDisabledUsersKeysFailOnEveryNode() throws Exception {
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);
    // A person of this test's own: the demo developer stays enabled for every other test.
    Users.Person person = Users.create(nodeA, "cluster", "developer");
    String[] key = create(nodeA, person, "petstore", "unlimited");
    assertEquals(200, nodeB.check("/petstore/pets", key[1]).statusCode());
    setEnabled(person.username(), false);
    attemptsUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 401);
    setEnabled(person.username(), true);
    attemptsUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 200);
  }

  @Test
  void aNodeThatLostItsNotificationsCatchesUpAfterReconnecting() throws Exception {
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);
    String[] key = create(nodeA, "unlimited");
    assertEquals(200, nodeB.check("/petstore/pets", key[1]).statusCode(), "cached on B");
    try (Connection db = TestDatabase.connect();
        Statement sql = db.createStatement()) {
      // Cut every node's notification connection, then change the key while nobody listens.
      sql.execute(
          "select pg_terminate_backend(pid) from pg_stat_activity"
              + " where application_name = 'keyport-change-feed'");
      sql.executeUpdate("update api_key set revoked_at = now() where id = '" + key[0] + "'::uuid");
    }
    attemptsUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 401);
    for (int i = 0; i < 20; i++) {
      assertEquals(401, nodeB.check("/petstore/pets", key[1]).statusCode(), "stale admit");
      assertEquals(401, nodeA.check("/petstore/pets", key[1]).statusCode(), "stale admit");
    }
  }

  private static String limitOf(HttpResponse<String> answer) {
    return answer.headers().firstValue("RateLimit-Limit").orElse("");
  }

  private static void setEnabled(String username, boolean enabled) throws Exception {
    try (Connection db = TestDatabase.connect();
        PreparedStatement update =
            db.prepareStatement("update app_user set enabled = ? where username = ?")) {
      update.setBoolean(1, enabled);
      update.setString(2, username);
      assertEquals(1, update.executeUpdate(), username);
    }
  }

  private static String[] create(Http node, String plan) {
    return create(node, "petstore", plan);
  }

  private static String[] create(Http node, String product, String plan) {
    Keys.Created key = Keys.create(node, "cluster", product, plan);
    return new String[] {key.id(), key.value()};
  }

  private static String[] create(Http node, Users.Person owner, String product, String plan) {
    Keys.Created key =
        Keys.create(node, owner.username(), owner.password(), "cluster", product, plan);
    return new String[] {key.id(), key.value()};
  }

  /** Polls until {@code probe} gives {@code wanted}, at most {@link #ATTEMPTS} times. */
  private static void attemptsUntil(IntSupplier probe, int wanted) throws InterruptedException {
    int last = probe.getAsInt();
    for (int attempt = 1; last != wanted; attempt++) {
      if (attempt == ATTEMPTS) {
        throw new AssertionError(
            "still " + last + " after " + attempt + " polls, wanted " + wanted);
      }
      Thread.sleep(100);
      last = probe.getAsInt();
    }
  }
}
