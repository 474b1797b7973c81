package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.testsupport.Http;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Locks;
import java.net.URL;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The WAR Maven built, deployed as an archive by Arquillian's payara-micro-managed adapter on a
 * stock Payara Micro with payara/'s command files and nothing of the launcher: the portal, the REST
 * API, readiness and the check all work when an operator deploys keyport.war to their own Payara.
 * The one class on Arquillian (see docs/testing.md); it costs the run one Payara start.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = Locks.DATABASE_LINK, mode = ResourceAccessMode.READ)
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WarDeploymentIT {

  @Deployment(testable = false)
  static WebArchive keyport() {
    return Deployments.keyport();
  }

  @ArquillianResource URL base;

  @Test
  void theDeployedWarServesThePortalTheApiAndTheCheck() {
    Http http = new Http(base);

    HttpResponse<String> ready = http.send(http.request("health/ready"));
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("UP"), ready.body());

    HttpResponse<String> login = http.send(http.request("login.xhtml"));
    assertEquals(200, login.statusCode());
    assertTrue(login.body().contains("j_username") || login.body().contains("password"));

    Keys.Created key = Keys.create(http, "war-deployment", "petstore", "gold");
    HttpResponse<String> passed = http.check("/petstore/pets", key.value());
    assertEquals(200, passed.statusCode(), passed.body());
    assertEquals("gold", passed.headers().firstValue("x-solo-plan").orElse(null));

    HttpResponse<String> refused = http.check("/petstore/pets", key.value() + "x");
    assertEquals(401, refused.statusCode());
  }
}
