package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Shared;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Usage plans enforced by the check itself: rate limits, and usage metered to the database. */
@ExtendWith(KeyportServers.class)
class UsagePlansIT {

  @Shared URL base;

  @Test
  void goldAdmitsExactlyFiveOfEightRapidRequestsThenSays429WithARightRetryAfter() {
    Http http = new Http(base);
    String key = newKey(http, "gold").value();
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> admitted = http.check("/petstore/pets", key);
      assertEquals(200, admitted.statusCode(), "request " + i + ": " + admitted.body());
      assertEquals("5", header(admitted, "RateLimit-Limit"));
      assertEquals(Integer.toString(5 - i), header(admitted, "RateLimit-Remaining"));
      long reset = Long.parseLong(header(admitted, "RateLimit-Reset"));
      assertTrue(reset >= 12L * i - 1 && reset <= 12L * i, "reset " + reset + " after " + i);
    }
    for (int i = 6; i <= 8; i++) {
      HttpResponse<String> refused = http.check("/petstore/pets", key);
      assertEquals(429, refused.statusCode(), "request " + i);
      assertEquals("{\"error\":\"rate_limited\"}", refused.body());
      assertEquals("rate_limited", header(refused, "x-keyport-deny"));
      assertEquals("0", header(refused, "RateLimit-Remaining"));
      long retryAfter = Long.parseLong(header(refused, "Retry-After"));
      // 5 per minute: the next request is allowed once one token has refilled, within 12 s.
      assertTrue(retryAfter >= 1 && retryAfter <= 12, "Retry-After " + retryAfter);
      assertFalse(refused.headers().firstValue("x-solo-plan").isPresent());
    }
  }

  @Test
  void anUnlimitedPlanIsNotCountedAgainst() {
    Http http = new Http(base);
    String key = newKey(http, "unlimited").value();
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> admitted = http.check("/petstore/pets", key);
      assertEquals(200, admitted.statusCode());
      assertFalse(admitted.headers().firstValue("RateLimit-Limit").isPresent());
    }
  }

  @Test
  void everyAnswerForAKeyIsMeteredAndFlushedInBatches() throws Exception {
    Http http = new Http(base);
    Keys.Created key = newKey(http, "unlimited");
    for (int i = 0; i < 37; i++) {
      assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(403, http.check("/trackapi/tracks", key.value()).statusCode());
    }
    Map<String, Long> expected = Map.of("admitted", 37L, "route_not_allowed", 3L);
    Map<String, Long> stored = Map.of();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!stored.equals(expected) && Instant.now().isBefore(deadline)) {
      Thread.sleep(500);
      stored = usage(key.id());
    }
    assertEquals(expected, stored);
  }

  private static Keys.Created newKey(Http http, String plan) {
    return Keys.create(http, "plans", "petstore", plan);
  }

  private static Map<String, Long> usage(String keyId) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Connection db = TestDatabase.connect();
        PreparedStatement query =
            db.prepareStatement(
                "select outcome, sum(count) from key_usage where key_id = ?::uuid group by outcome")) {
      query.setString(1, keyId);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          counts.put(row.getString(1), row.getLong(2));
        }
      }
    }
    return counts;
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
