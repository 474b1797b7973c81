package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Keyport nodes over one PostgreSQL: a change committed through one node, or straight in the
 * database, reaches the other node's check within a second (LISTEN/NOTIFY), and a node whose
 * notification connection was cut catches up after reconnecting.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClusterIT {

  private static final Duration PROPAGATION = Duration.ofSeconds(1);

  @Deployment(name = "a", testable = false)
  @TargetsContainer("node-a")
  static WebArchive nodeA() {
    return Deployments.keyport();
  }

  @Deployment(name = "b", testable = false)
  @TargetsContainer("node-b")
  static WebArchive nodeB() {
    return Deployments.keyport();
  }

  @ArquillianResource
  @OperateOnDeployment("a")
  URL a;

  @ArquillianResource
  @OperateOnDeployment("b")
  URL b;

  @Test
  void aKeyDeletedOnOneNodeIsRefusedOnTheOtherWithinASecond() {
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);
    String[] key = create(nodeA, "unlimited");
    assertEquals(200, nodeB.check("/petstore/pets", key[1]).statusCode(), "cached on B");
    assertEquals(
        204,
        nodeA
            .api("DELETE", "api/v1/api-keys/" + key[0], "dev@example.com", "dev", null)
            .statusCode());
    long took = millisUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 401);
    assertTrue(took < PROPAGATION.toMillis(), "B refused the deleted key after " + took + " ms");
  }

  @Test
  void aChangedPlanLimitIsEnforcedOnEveryNodeWithinASecond() throws Exception {
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
    long took = millisUntil(() -> limitOf(nodeA.check(path, key[1])).equals("2") ? 1 : 0, 1);
    assertTrue(took < PROPAGATION.toMillis(), "A enforced the new limit after " + took + " ms");
    TestDatabase.retireProduct(plan);
  }

  @Test
  void aDisabledUsersKeysFailOnEveryNodeWithinASecond() throws Exception {
    Http nodeA = new Http(a);
    Http nodeB = new Http(b);
    String[] key = create(nodeA, "unlimited");
    assertEquals(200, nodeB.check("/petstore/pets", key[1]).statusCode());
    try {
      setEnabled(false);
      long took = millisUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 401);
      assertTrue(took < PROPAGATION.toMillis(), "B refused after " + took + " ms");
    } finally {
      setEnabled(true);
    }
    millisUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 200);
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
    long took = millisUntil(() -> nodeB.check("/petstore/pets", key[1]).statusCode(), 401);
    assertTrue(took < 10_000, "B converged after " + took + " ms");
    for (int i = 0; i < 20; i++) {
      assertEquals(401, nodeB.check("/petstore/pets", key[1]).statusCode(), "stale admit");
      assertEquals(401, nodeA.check("/petstore/pets", key[1]).statusCode(), "stale admit");
    }
  }

  private static String limitOf(HttpResponse<String> answer) {
    return answer.headers().firstValue("RateLimit-Limit").orElse("");
  }

  private static void setEnabled(boolean enabled) throws Exception {
    try (Connection db = TestDatabase.connect();
        PreparedStatement update =
            db.prepareStatement(
                "update app_user set enabled = ? where username = 'dev@example.com'")) {
      update.setBoolean(1, enabled);
      update.executeUpdate();
    }
  }

  private static String[] create(Http node, String plan) {
    return create(node, "petstore", plan);
  }

  private static String[] create(Http node, String product, String plan) {
    HttpResponse<String> created =
        node.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\"cluster-"
                + UUID.randomUUID()
                + "\",\"apiProduct\":\""
                + product
                + "\",\"usagePlan\":\""
                + plan
                + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    return new String[] {
      DatabaseOutageIT.field(created.body(), "id"), DatabaseOutageIT.field(created.body(), "apiKey")
    };
  }

  /** Polls until {@code probe} gives {@code wanted}; the milliseconds that took. */
  private static long millisUntil(IntSupplier probe, int wanted) {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(30).toNanos();
    int last = probe.getAsInt();
    while (last != wanted) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still " + last + " after 30 s, wanted " + wanted);
      }
      last = probe.getAsInt();
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
