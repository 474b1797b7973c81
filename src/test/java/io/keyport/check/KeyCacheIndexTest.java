package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.keys.KeyFormat;
import io.keyport.keys.KeyHasher;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import io.keyport.platform.DataChanged;
import io.keyport.platform.Heartbeat;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cache with the index of live hashes: unknown keys refused from memory, keys the feed has not
 * announced yet still found, and no trust in the index while the feed is silent or reconnecting.
 */
class KeyCacheIndexTest {

  private static final KeyHasher HASHER = KeyHasher.withSecret("cache-index-secret");

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  private final Heartbeat heartbeat = new Heartbeat(now.get());
  private final Database database = new Database();
  private final ScheduledExecutorService loader = Executors.newSingleThreadScheduledExecutor();
  private final LiveHashes hashes = LiveHashes.of(database, heartbeat, now::get, loader);

  /**
   * PostgreSQL as the cache and the index see it: which hashes are keys, how often it was asked.
   */
  private static final class Database extends KeyLookup {
    final Set<String> keys = ConcurrentHashMap.newKeySet();
    final AtomicLong lookups = new AtomicLong();
    final List<String> reads = new CopyOnWriteArrayList<>();
    volatile boolean reachable = true;

    @Override
    public Optional<LiveKey> find(String keyHash) {
      lookups.incrementAndGet();
      if (!keys.contains(keyHash)) {
        return Optional.empty();
      }
      return Optional.of(
          new LiveKey(UUID.randomUUID(), "jane@example.com", "petstore", "gold", null, Map.of()));
    }

    @Override
    public void eachLiveHash(Consumer<String> each) {
      reads.add("read");
      if (!reachable) {
        throw new KeyLookup.DatabaseUnavailable(new SQLException("connection refused"));
      }
      keys.forEach(each);
    }
  }

  @AfterEach
  void stopLoader() {
    loader.shutdownNow();
  }

  private static String newHash() {
    return HASHER.hash(KeyFormat.generate("kp"));
  }

  private void seconds(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
    heartbeat.heard(now.get());
  }

  private void loaded() throws Exception {
    hashes.onDataChanged(DataChanged.ALL);
    for (int i = 0; i < 500 && !hashes.loaded(); i++) {
      Thread.sleep(10);
    }
    assertTrue(hashes.loaded(), "the index was read");
  }

  @Test
  void aFloodOfUnknownKeysNeverReachesTheDatabase() throws Exception {
    String known = newHash();
    database.keys.add(known);
    loaded();
    KeyCache cache = KeyCache.of(database, heartbeat, now::get, Duration.ofSeconds(60), hashes, 0);
    for (int i = 0; i < 10_000; i++) {
      String unknown = newHash();
      assertEquals(Optional.empty(), cache.cached(unknown), "answered on the event loop");
      assertEquals(Optional.empty(), cache.find(unknown));
    }
    assertEquals(0, database.lookups.get());
    assertTrue(cache.find(known).isPresent());
    assertEquals(1, database.lookups.get(), "the known key is looked up once, then cached");
  }

  @Test
  void aKeyTheFeedHasNotAnnouncedYetPassesThroughAFewLookupsASecondAndAFloodDoesNot()
      throws Exception {
    loaded();
    KeyCache cache = KeyCache.of(database, heartbeat, now::get, Duration.ofSeconds(60), hashes, 3);
    String madeElsewhere = newHash();
    database.keys.add(madeElsewhere); // committed on another node; its notification is on its way
    assertEquals(null, cache.cached(madeElsewhere), "an allowance is left: ask the database");
    assertTrue(cache.find(madeElsewhere).isPresent());
    assertTrue(hashes.surelyAbsent(newHash()));
    assertFalse(hashes.surelyAbsent(madeElsewhere), "found, so indexed before its notification");

    for (int i = 0; i < 10; i++) {
      cache.find(newHash());
    }
    assertEquals(3, database.lookups.get(), "one for the new key, two left for the flood");
    String another = newHash();
    database.keys.add(another);
    assertEquals(Optional.empty(), cache.find(another), "this second's allowance is spent");
    seconds(1);
    assertTrue(cache.find(another).isPresent(), "the next second has lookups again");
  }

  @Test
  void aNotificationAddsTheHashAtOnce() throws Exception {
    loaded();
    KeyCache cache = KeyCache.of(database, heartbeat, now::get, Duration.ofSeconds(60), hashes, 0);
    String created = newHash();
    database.keys.add(created);
    hashes.onDataChanged(new DataChanged(DataChanged.Kind.KEY, created));
    assertTrue(cache.find(created).isPresent());
  }

  @Test
  void aSilentFeedOrAReconnectSendsEveryHashToTheDatabaseUntilTheIndexIsReadAgain()
      throws Exception {
    loaded();
    KeyCache cache = KeyCache.of(database, heartbeat, now::get, Duration.ofSeconds(60), hashes, 0);
    String missed = newHash();
    database.keys.add(missed); // its notification was lost

    now.addAndGet(TimeUnit.SECONDS.toNanos(6)); // nothing heard for six seconds
    assertTrue(cache.find(missed).isPresent(), "stale feed: the index is not trusted");

    String missedToo = newHash();
    database.keys.add(missedToo);
    database.reachable = false;
    hashes.onDataChanged(DataChanged.ALL); // reconnected; the read fails and is retried later
    seconds(0);
    assertFalse(hashes.loaded());
    assertTrue(cache.find(missedToo).isPresent(), "no index: looked up");

    database.reachable = true;
    loaded();
    assertFalse(hashes.surelyAbsent(missedToo), "the new index holds what the old one missed");
  }

  @Test
  void aRefreshDropsRevokedKeysAndKeepsWhatWasAnnouncedMeanwhile() throws Exception {
    String revoked = newHash();
    database.keys.add(revoked);
    loaded();
    assertFalse(hashes.surelyAbsent(revoked));
    database.keys.remove(revoked);
    hashes.refresh();
    for (int i = 0; i < 500 && !hashes.surelyAbsent(revoked); i++) {
      Thread.sleep(10);
    }
    assertTrue(hashes.surelyAbsent(revoked), "the refreshed index lacks the revoked key");
  }
}
