package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SmokeIT {

  @Deployment(testable = false)
  static WebArchive keyport() {
    return Deployments.keyport();
  }

  @ArquillianResource URL base;

  @Test
  void meAnswersForTheDemoDeveloper() {
    HttpResponse<String> me =
        new Http(base).api("GET", "api/v1/me", "dev@example.com", "dev", null);
    assertEquals(200, me.statusCode(), me.body());
    assertTrue(me.body().contains("\"username\":\"dev@example.com\""), me.body());
  }
}
