package io.keyport.check;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.keyport.keys.KeyChanged;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import io.keyport.platform.ChangeFeed;
import io.keyport.platform.DataChanged;
import io.keyport.platform.Heartbeat;
import io.keyport.platform.Metrics;
import io.keyport.platform.Unproxied;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Key hash to key state, so the check answers a key it has seen without touching PostgreSQL.
 * Unknown hashes are remembered for a second, in bounded number, so a flood of random well-formed
 * keys costs at most one query per distinct key per second. Entries are dropped the moment a change
 * commits: by this node's own event, and by PostgreSQL's notification on every node.
 *
 * <p>That is only as good as the change feed. While its {@link Heartbeat} is fresh, a cached key is
 * served as it is (one volatile read). Once the feed has been silent for five seconds the node may
 * be missing revocations, so a cached key is read again from PostgreSQL, at most once a second per
 * key; when PostgreSQL cannot answer either, the key is served only until {@code
 * keyport.check.offline-ttl} after it was last known valid (its last read, or the last heartbeat),
 * and then refused as unavailable. That bounds how late a revocation can take effect on a node cut
 * off from its database.
 *
 * <p>A hash that neither cache holds is first put to {@link LiveHashes}, the index of every live
 * key's hash: one it surely lacks is refused without PostgreSQL. A key made on another node a
 * moment ago may not be in this node's index yet (its notification is on its way), so such hashes
 * may still be looked up, {@code keyport.check.unindexed-lookups} times a second in all; past that
 * a flood of unknown keys is refused from memory alone.
 */
@ApplicationScoped
public class KeyCache {

  private static final Duration UNKNOWN_TTL = Duration.ofSeconds(1);
  private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int MAX_UNINDEXED_LOOKUPS = 10_000;
  private static final long TAKEN_BITS = 20;
  private static final long TAKEN_MASK = (1L << TAKEN_BITS) - 1;

  @Inject private KeyLookup lookup;
  @Inject private ChangeFeed feed;
  @Inject private Metrics metrics;
  @Inject private LiveHashes hashes;

  @Inject
  @ConfigProperty(name = "keyport.check.cache-size", defaultValue = "1000000")
  long capacity;

  @Inject
  @ConfigProperty(name = "keyport.check.cache-ttl", defaultValue = "PT5M")
  Duration ttl;

  @Inject
  @ConfigProperty(name = "keyport.check.offline-ttl", defaultValue = "PT60S")
  Duration offlineTtl;

  @Inject
  @ConfigProperty(name = "keyport.check.unindexed-lookups", defaultValue = "20")
  int unindexedLookups;

  private Heartbeat heartbeat;
  private LongSupplier clock;
  private long offlineTtlNanos;
  private Cache<String, Entry> live;
  private Cache<String, Boolean> unknown;
  private Counter hits;
  private Counter unknownHits;
  private Counter notIndexed;
  private Counter misses;
  private Counter found;
  private Counter absent;
  private Counter failed;
  private Timer lookups;
  private final Map<UUID, String> hashById = new ConcurrentHashMap<>();
  // Bumped by every invalidation: a lookup that raced one does not put back what it read.
  private final AtomicLong generation = new AtomicLong();
  // The clock's second in the high bits, the unindexed lookups taken in it in the low 20.
  private final AtomicLong unindexedTaken = new AtomicLong();

  /** A cached live key, with when PostgreSQL last vouched for it. */
  private static final class Entry {
    final LiveKey key;
    final long verifiedNanos;
    // While the feed is stale: when this key is next read again (claimed by one thread at a time).
    final AtomicLong nextCheckNanos;

    Entry(LiveKey key, long verifiedNanos) {
      this.key = key;
      this.verifiedNanos = verifiedNanos;
      this.nextCheckNanos = new AtomicLong(verifiedNanos + RECHECK_NANOS);
    }
  }

  /** A cache outside the container, for tests of the staleness rules with a clock they move. */
  static KeyCache of(
      KeyLookup lookup, Heartbeat heartbeat, LongSupplier clock, Duration offlineTtl) {
    KeyCache cache = new KeyCache();
    cache.lookup = lookup;
    cache.capacity = 1000;
    cache.ttl = Duration.ofMinutes(5);
    cache.offlineTtl = offlineTtl;
    cache.metrics = Metrics.standalone();
    cache.build(heartbeat, clock);
    return cache;
  }

  /** As {@link #of}, with an index of live hashes and its allowance of lookups a second. */
  static KeyCache of(
      KeyLookup lookup,
      Heartbeat heartbeat,
      LongSupplier clock,
      Duration offlineTtl,
      LiveHashes hashes,
      int unindexedLookups) {
    KeyCache cache = of(lookup, heartbeat, clock, offlineTtl);
    cache.hashes = hashes;
    cache.unindexedLookups = unindexedLookups;
    return cache;
  }

  @PostConstruct
  void init() {
    if (unindexedLookups < 0 || unindexedLookups > MAX_UNINDEXED_LOOKUPS) {
      throw new IllegalStateException(
          "keyport.check.unindexed-lookups must be between 0 and "
              + MAX_UNINDEXED_LOOKUPS
              + " (lookups a second of keys not yet in the index); it is "
              + unindexedLookups);
    }
    build(feed.heartbeat(), System::nanoTime);
    hashes = hashes.unproxied().bean(); // asked for every hash not cached, on the check's hot path
  }

  private void build(Heartbeat heartbeat, LongSupplier clock) {
    this.heartbeat = heartbeat;
    this.clock = clock;
    this.offlineTtlNanos = offlineTtl.toNanos();
    live =
        Caffeine.newBuilder()
            .maximumSize(capacity)
            .expireAfterWrite(ttl)
            .removalListener(
                (String hash, Entry entry, RemovalCause cause) -> {
                  if (entry != null) {
                    hashById.remove(entry.key.id(), hash);
                  }
                })
            .build();
    unknown =
        Caffeine.newBuilder()
            .maximumSize(Math.max(10_000, capacity / 10))
            .expireAfterWrite(UNKNOWN_TTL)
            .build();
    MeterRegistry registry = metrics.registry();
    hits =
        cacheCounter(registry, "keyport.key.cache.hits", "known", "Keys answered from the cache");
    unknownHits =
        cacheCounter(
            registry, "keyport.key.cache.hits", "unknown", "Unknown keys answered from the cache");
    notIndexed =
        cacheCounter(
            registry,
            "keyport.key.cache.hits",
            "not_indexed",
            "Unknown keys answered from the index of live hashes");
    misses =
        cacheCounter(registry, "keyport.key.cache.misses", "any", "Keys looked up in PostgreSQL");
    Gauge.builder("keyport.key.cache.size", live, Cache::estimatedSize)
        .description("Live keys in the cache")
        .register(registry);
    found = lookupCounter(registry, "found");
    absent = lookupCounter(registry, "absent");
    failed = lookupCounter(registry, "unavailable");
    lookups =
        Timer.builder("keyport.db.key.lookup.duration")
            .description("Time a key lookup in PostgreSQL took")
            .register(registry);
  }

  private static Counter cacheCounter(
      MeterRegistry registry, String name, String kind, String description) {
    return Counter.builder(name).description(description).tag("kind", kind).register(registry);
  }

  private static Counter lookupCounter(MeterRegistry registry, String result) {
    return Counter.builder("keyport.db.key.lookups")
        .description("Key lookups in PostgreSQL by result")
        .tag("result", result)
        .register(registry);
  }

  /**
   * The cached state of this hash, or null when it must be looked up (not cached, or cached but due
   * to be read again because the change feed is silent). Never blocks.
   */
  Optional<LiveKey> cached(String keyHash) {
    Entry entry = live.getIfPresent(keyHash);
    if (entry != null) {
      if (trusted(entry, clock.getAsLong())) {
        hits.increment();
        return Optional.of(entry.key);
      }
      return null;
    }
    if (unknown.getIfPresent(keyHash) != null) {
      unknownHits.increment();
      return Optional.empty();
    }
    if (notIndexed(keyHash, clock.getAsLong(), false)) {
      return Optional.empty();
    }
    return null;
  }

  /**
   * The live key with this hash, or empty when there is none.
   *
   * @throws KeyLookup.DatabaseUnavailable when PostgreSQL is down and the key is not cached, or
   *     cached but not known valid within {@code keyport.check.offline-ttl}
   */
  public Optional<LiveKey> find(String keyHash) {
    long now = clock.getAsLong();
    Entry entry = live.getIfPresent(keyHash);
    if (entry != null) {
      if (trusted(entry, now)) {
        hits.increment();
        return Optional.of(entry.key);
      }
      long due = entry.nextCheckNanos.get();
      boolean claimed =
          now - due >= 0 && entry.nextCheckNanos.compareAndSet(due, now + RECHECK_NANOS);
      if (!claimed && servable(entry, now)) {
        // another request is reading this key again right now
        hits.increment();
        return Optional.of(entry.key);
      }
    } else if (unknown.getIfPresent(keyHash) != null) {
      unknownHits.increment();
      return Optional.empty();
    } else if (notIndexed(keyHash, now, true)) {
      return Optional.empty();
    }
    misses.increment();
    long before = generation.get();
    Optional<LiveKey> found;
    try {
      long asked = System.nanoTime();
      found = lookup.find(keyHash);
      lookups.record(System.nanoTime() - asked, TimeUnit.NANOSECONDS);
      (found.isPresent() ? this.found : absent).increment();
    } catch (KeyLookup.DatabaseUnavailable e) {
      failed.increment();
      if (entry != null && servable(entry, clock.getAsLong())) {
        return Optional.of(entry.key);
      }
      throw e;
    }
    if (found.isEmpty()) {
      live.invalidate(keyHash);
    }
    if (generation.get() == before) {
      if (found.isPresent()) {
        if (hashes != null) {
          hashes.found(keyHash);
        }
        hashById.put(found.get().id(), keyHash);
        live.put(keyHash, new Entry(found.get(), now));
      } else {
        unknown.put(keyHash, Boolean.TRUE);
      }
    }
    return found;
  }

  /**
   * Whether the hash is answered as unknown from the index alone: the index surely lacks it and
   * this second's allowance of lookups for such hashes is spent ({@code take}: or taking one of it
   * now).
   */
  private boolean notIndexed(String keyHash, long now, boolean take) {
    if (hashes == null || !hashes.surelyAbsent(keyHash)) {
      return false;
    }
    if (unindexedLookupLeft(now, take)) {
      return false;
    }
    notIndexed.increment();
    return true;
  }

  /** Whether this second has a lookup of an unindexed hash left; {@code take} takes it. */
  boolean unindexedLookupLeft(long now, boolean take) {
    long second = Math.floorDiv(now, 1_000_000_000L);
    while (true) {
      long taken = unindexedTaken.get();
      long used =
          (taken >>> TAKEN_BITS) == (second & (-1L >>> TAKEN_BITS)) ? taken & TAKEN_MASK : 0;
      if (used >= unindexedLookups) {
        return false;
      }
      if (!take) {
        return true;
      }
      long next = (second << TAKEN_BITS) | (used + 1);
      if (unindexedTaken.compareAndSet(taken, next)) {
        return true;
      }
    }
  }

  /** Whether the entry may be served without asking PostgreSQL. */
  private boolean trusted(Entry entry, long now) {
    return heartbeat.isFresh(now) || (now - entry.nextCheckNanos.get() < 0 && servable(entry, now));
  }

  /** Whether the entry was known valid within the offline TTL. */
  private boolean servable(Entry entry, long now) {
    long heard = heartbeat.heardNanos();
    long known = heard - entry.verifiedNanos > 0 ? heard : entry.verifiedNanos;
    return now - known < offlineTtlNanos;
  }

  void onKeyChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyChanged change) {
    evict(change.keyHash());
  }

  void onDataChanged(@Observes DataChanged change) {
    switch (change.kind()) {
      case KEY -> evict(change.id());
      case KEY_ID -> {
        String hash = hashById.get(parse(change.id()));
        if (hash != null) {
          evict(hash);
        }
      }
      case USER -> {
        generation.incrementAndGet();
        live.asMap().values().removeIf(entry -> entry.key.username().equals(change.id()));
        // a re-enabled user's keys may sit among the unknown ones
        unknown.invalidateAll();
      }
      case ALL -> {
        generation.incrementAndGet();
        live.invalidateAll();
        unknown.invalidateAll();
      }
      case CATALOG -> {
        // products and plans are read from LiveCatalog at decision time, not cached per key
      }
    }
  }

  private void evict(String keyHash) {
    generation.incrementAndGet();
    live.invalidate(keyHash);
    unknown.invalidate(keyHash);
  }

  private static UUID parse(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return new UUID(0, 0);
    }
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  Unproxied<KeyCache> unproxied() {
    return new Unproxied<>(this);
  }
}
