package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Shared;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The check never fails open: with PostgreSQL gone it serves what it knows and refuses the rest.
 */
@ExtendWith(KeyportServers.class)
class DatabaseOutageIT {

  @Shared URL base;

  @Test
  void cachedKeysPassUnknownKeysGet503AndTheCheckRecoversByItself() throws Exception {
    Http http = new Http(base);
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\"outage-"
                + UUID.randomUUID()
                + "\",\"apiProduct\":\"petstore\","
                + "\"usagePlan\":\"gold\"}");
    assertEquals(201, created.statusCode(), created.body());
    String key = Http.field(created.body(), "apiKey");
    String stranger = SpecKeys.unknown();
    assertEquals(200, http.check("/petstore/pets", key).statusCode());

    TestDatabase.cutKeyportOff();
    try {
      HttpResponse<String> cached = http.check("/petstore/pets", key);
      assertEquals(200, cached.statusCode(), "a cached key must keep passing: " + cached.body());
      HttpResponse<String> unknown = http.check("/petstore/pets", stranger);
      assertEquals(503, unknown.statusCode(), unknown.body());
      assertEquals("{\"error\":\"unavailable\"}", unknown.body());
      assertEquals("unavailable", unknown.headers().firstValue("x-keyport-deny").orElse(null));
      assertEquals(401, http.check("/petstore/pets", key + "x").statusCode());
    } finally {
      TestDatabase.reconnectKeyport();
    }

    int status = eventually(() -> http.check("/petstore/pets", stranger).statusCode(), 401);
    assertEquals(401, status, "the check did not recover after the database came back");
    assertEquals(200, http.check("/petstore/pets", key).statusCode());
    HttpResponse<String> after =
        http.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\"after-"
                + UUID.randomUUID()
                + "\",\"apiProduct\":\"petstore\","
                + "\"usagePlan\":\"gold\"}");
    assertEquals(201, after.statusCode(), after.body());
    assertEquals(
        200, http.check("/petstore/pets", Http.field(after.body(), "apiKey")).statusCode());
  }

  private static int eventually(Supplier<Integer> probe, int wanted) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    int last = probe.get();
    while (last != wanted && Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      last = probe.get();
    }
    return last;
  }
}
