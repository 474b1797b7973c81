package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A key outlives a restart: PostgreSQL is the system of record, not the check's cache. The steps
 * run in order, deploying Keyport by hand; this adapter starts a new Payara Micro process, on a new
 * random port, for every deploy, so each step gets the deployment's URL afresh.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartIT {

  private static final String DEPLOYMENT = "keyport";
  private static final String DEV = "dev@example.com";
  private static final String DEV_PASSWORD = "dev";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive keyport() {
    return Deployments.keyport();
  }

  @ArquillianResource Deployer deployer;

  // carried from step to step
  private static boolean deployed;
  private static String keyId;
  private static String keyValue;

  @Test
  @Order(1)
  void deploy() {
    deployer.deploy(DEPLOYMENT);
    deployed = true;
  }

  @Test
  @Order(2)
  void createAKeyThatPassesTheCheck(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL base)
      throws Exception {
    assumeTrue(deployed, "Keyport is not deployed");
    Http http = new Http(base);
    String body =
        JSON.createObjectNode()
            .put("apiKeyName", "restart-" + UUID.randomUUID())
            .put("apiProduct", "petstore")
            .put("usagePlan", "unlimited")
            .toString();
    HttpResponse<String> created = http.api("POST", "api/v1/api-keys", DEV, DEV_PASSWORD, body);
    assertEquals(201, created.statusCode(), created.body());
    JsonNode key = JSON.readTree(created.body());
    String id = key.path("id").asText();
    String value = key.path("apiKey").asText();

    assertPasses(http, id, value);
    keyId = id;
    keyValue = value;
  }

  @Test
  @Order(3)
  void restart(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL base) {
    assumeTrue(deployed, "Keyport is not deployed");
    // Metered in memory and flushed every few seconds: stopping right after these 25 requests
    // leaves them to the flush at shutdown.
    Http http = new Http(base);
    for (int i = 0; i < 25; i++) {
      assertEquals(200, http.check("/petstore/pets", keyValue).statusCode());
    }
    deployed = false;
    deployer.undeploy(DEPLOYMENT);
    deployer.deploy(DEPLOYMENT);
    deployed = true;
  }

  @Test
  @Order(4)
  void theKeyStillPassesAndIsListed(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL base)
      throws Exception {
    assumeTrue(deployed && keyValue != null, "no key was created before the restart");
    assertEquals(26, admittedRequests(keyId), "requests metered before the restart were lost");
    Http http = new Http(base);
    assertPasses(http, keyId, keyValue);

    HttpResponse<String> list = http.api("GET", "api/v1/api-keys", DEV, DEV_PASSWORD, null);
    assertEquals(200, list.statusCode(), list.body());
    boolean listed = false;
    for (JsonNode key : JSON.readTree(list.body())) {
      listed |= keyId.equals(key.path("id").asText());
    }
    assertTrue(listed, "the key is not listed after the restart: " + list.body());
  }

  @Test
  @Order(5)
  void undeploy() {
    if (deployed) {
      deployed = false;
      deployer.undeploy(DEPLOYMENT);
    }
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

  private static void assertPasses(Http http, String id, String value) {
    HttpResponse<String> check = http.check("/petstore/pets", value);
    assertEquals(200, check.statusCode(), check.body());
    assertEquals(id, check.headers().firstValue("x-api-key-id").orElse(null));
    assertEquals(DEV, check.headers().firstValue("x-user-id").orElse(null));
    assertEquals("unlimited", check.headers().firstValue("x-solo-plan").orElse(null));
  }
}
