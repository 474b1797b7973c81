package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Shared;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The check never fails open: with PostgreSQL gone it serves what it knows, for at most the offline
 * TTL (5 s on this node), and refuses the rest; a silent change feed does not let a revoked key
 * pass on.
 */
@ResourceLock(Locks.DATABASE_LINK)
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
    // The first lookup is not cached when the key's own change notification arrives while it runs
    // (the cache keeps nothing read across a change); a second one, after it, is.
    Thread.sleep(500);
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

  /**
   * A partition that silences only the change feed: the revocation's notification never arrives,
   * but PostgreSQL still answers queries, so once the feed counts as stale the check reads the
   * cached key again and refuses it.
   */
  @Test
  void aRevocationIsSeenWhileTheChangeFeedIsSilent() throws Exception {
    Http http = new Http(base);
    HttpResponse<String> created = newKey(http, "frozen-feed-");
    String key = Http.field(created.body(), "apiKey");
    assertEquals(200, http.check("/petstore/pets", key).statusCode());
    assertEquals(200, http.check("/petstore/pets", key).statusCode(), "now from the cache");

    TestDatabase.freezeChangeFeed();
    try {
      try (Connection db = TestDatabase.connect();
          PreparedStatement revoke =
              db.prepareStatement("update api_key set revoked_at = now() where id = ?::uuid")) {
        revoke.setString(1, Http.field(created.body(), "id"));
        assertEquals(1, revoke.executeUpdate());
      }
      int status = poll(() -> http.check("/petstore/pets", key).statusCode(), 401, 160);
      assertEquals(401, status, "the revoked key still passed while the change feed was silent");
    } finally {
      TestDatabase.thawChangeFeed();
    }
  }

  /** With PostgreSQL unreachable, a cached key passes for the offline TTL, then gets 503. */
  @Test
  void aCachedKeyPassesOnlyUntilTheOfflineTtlWhileTheDatabaseIsUnreachable() throws Exception {
    Http http = new Http(base);
    String key = Http.field(newKey(http, "offline-ttl-").body(), "apiKey");
    assertEquals(200, http.check("/petstore/pets", key).statusCode());
    Thread.sleep(500); // cached from the second lookup on, as in the test above
    assertEquals(200, http.check("/petstore/pets", key).statusCode());

    TestDatabase.cutKeyportOff();
    int status;
    try {
      assertEquals(200, http.check("/petstore/pets", key).statusCode(), "within the offline TTL");
      status = poll(() -> http.check("/petstore/pets", key).statusCode(), 503, 160);
      HttpResponse<String> refused = http.check("/petstore/pets", key);
      assertEquals(503, status, "the cached key kept passing past the offline TTL");
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("{\"error\":\"unavailable\"}", refused.body());
    } finally {
      TestDatabase.reconnectKeyport();
    }
    assertEquals(
        200,
        poll(() -> http.check("/petstore/pets", key).statusCode(), 200, 160),
        "the key passes again once PostgreSQL is back");
  }

  /** A key on the unlimited plan, so polling the check never meets a rate limit. */
  private static HttpResponse<String> newKey(Http http, String namePrefix) {
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\""
                + namePrefix
                + UUID.randomUUID()
                + "\",\"apiProduct\":\"petstore\",\"usagePlan\":\"unlimited\"}");
    assertEquals(201, created.statusCode(), created.body());
    return created;
  }

  /** Asks up to {@code attempts} times, a quarter second apart, until the answer is wanted. */
  private static int poll(Supplier<Integer> probe, int wanted, int attempts)
      throws InterruptedException {
    int last = probe.get();
    for (int i = 1; i < attempts && last != wanted; i++) {
      Thread.sleep(250);
      last = probe.get();
    }
    return last;
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
