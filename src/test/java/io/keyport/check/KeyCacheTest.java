package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import io.keyport.platform.Heartbeat;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The cache's trust in what it holds when the change feed goes silent, on a clock moved by hand.
 */
class KeyCacheTest {

  private static final String HASH = "q83vEjxUNGIbaKBcM3xrTcsO1Ri7tZyxm6ZxYnOdL2A=";
  private static final LiveKey KEY =
      new LiveKey(UUID.randomUUID(), "jane@example.com", "petstore", "gold", null, Map.of());

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  private final Heartbeat heartbeat = new Heartbeat(now.get());
  private final Database database = new Database();
  private final KeyCache cache = KeyCache.of(database, heartbeat, now::get, Duration.ofSeconds(60));

  /**
   * PostgreSQL as the cache sees it: the key's state, whether it answers, how often it was asked.
   */
  private static final class Database extends KeyLookup {
    volatile Optional<LiveKey> state = Optional.of(KEY);
    volatile boolean reachable = true;
    final AtomicLong reads = new AtomicLong();

    @Override
    public Optional<LiveKey> find(String keyHash) {
      reads.incrementAndGet();
      if (!reachable) {
        throw new KeyLookup.DatabaseUnavailable(new SQLException("connection refused"));
      }
      return state;
    }
  }

  private void seconds(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  /** The feed answers its heartbeat now. */
  private void heard() {
    heartbeat.heard(now.get());
  }

  @Test
  void whileTheFeedIsHeardACachedKeyNeverTouchesTheDatabase() {
    assertEquals(Optional.of(KEY), cache.find(HASH));
    for (int i = 0; i < 100; i++) {
      seconds(1);
      heard();
      assertEquals(Optional.of(KEY), cache.find(HASH));
      assertEquals(Optional.of(KEY), cache.cached(HASH));
    }
    assertEquals(1, database.reads.get());
  }

  @Test
  void aSilentFeedMakesCachedKeysBeReadAgainSoARevocationIsSeen() {
    cache.find(HASH);
    seconds(4);
    database.state = Optional.empty(); // revoked; the notification never arrives
    assertEquals(Optional.of(KEY), cache.find(HASH), "still within the heartbeat's grace");
    seconds(1.5);
    assertNull(cache.cached(HASH), "stale: the non-blocking path must ask the blocking one");
    assertEquals(Optional.empty(), cache.find(HASH));
    assertEquals(2, database.reads.get());
  }

  @Test
  void aStaleCacheReadsEachKeyAtMostOnceASecond() {
    cache.find(HASH);
    seconds(10);
    for (int i = 0; i < 50; i++) {
      assertEquals(Optional.of(KEY), cache.find(HASH));
    }
    assertEquals(2, database.reads.get(), "one read again, then trusted for a second");
    seconds(1.1);
    cache.find(HASH);
    assertEquals(3, database.reads.get());
  }

  @Test
  void withTheDatabaseDownACachedKeyPassesUntilTheOfflineTtlThenIsUnavailable() {
    cache.find(HASH);
    seconds(2);
    heard(); // last moment the node knew the key valid
    database.reachable = false;
    seconds(30);
    assertEquals(Optional.of(KEY), cache.find(HASH));
    seconds(29);
    assertEquals(Optional.of(KEY), cache.find(HASH));
    seconds(1.5);
    assertNull(cache.cached(HASH));
    assertThrows(KeyLookup.DatabaseUnavailable.class, () -> cache.find(HASH));
    long reads = database.reads.get();
    assertTrue(reads <= 4, "at most one attempt a second while it was still served: " + reads);

    database.reachable = true;
    assertEquals(Optional.of(KEY), cache.find(HASH), "read again once PostgreSQL answers");
  }

  @Test
  void hearingTheFeedAgainMakesTheCacheTrustedAgain() {
    cache.find(HASH);
    seconds(20);
    database.reachable = false;
    assertEquals(Optional.of(KEY), cache.find(HASH));
    heard();
    assertEquals(Optional.of(KEY), cache.cached(HASH));
  }
}
