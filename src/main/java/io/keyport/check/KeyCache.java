package io.keyport.check;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.keyport.keys.KeyChanged;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import io.keyport.platform.DataChanged;
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
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Key hash to key state, so the check answers a key it has seen without touching PostgreSQL.
 * Unknown hashes are remembered for a second, in bounded number, so a flood of random well-formed
 * keys costs at most one query per distinct key per second. Entries are dropped the moment a change
 * commits: by this node's own event, and by PostgreSQL's notification on every node.
 */
@ApplicationScoped
public class KeyCache {

  private static final Duration UNKNOWN_TTL = Duration.ofSeconds(1);

  @Inject private KeyLookup lookup;

  @Inject
  @ConfigProperty(name = "keyport.check.cache-size", defaultValue = "1000000")
  long capacity;

  @Inject
  @ConfigProperty(name = "keyport.check.cache-ttl", defaultValue = "PT5M")
  Duration ttl;

  private Cache<String, LiveKey> live;
  private Cache<String, Boolean> unknown;
  private final Map<UUID, String> hashById = new ConcurrentHashMap<>();
  // Bumped by every invalidation: a lookup that raced one does not put back what it read.
  private final AtomicLong generation = new AtomicLong();

  @PostConstruct
  void init() {
    live =
        Caffeine.newBuilder()
            .maximumSize(capacity)
            .expireAfterWrite(ttl)
            .removalListener(
                (String hash, LiveKey key, RemovalCause cause) -> {
                  if (key != null) {
                    hashById.remove(key.id(), hash);
                  }
                })
            .build();
    unknown =
        Caffeine.newBuilder()
            .maximumSize(Math.max(10_000, capacity / 10))
            .expireAfterWrite(UNKNOWN_TTL)
            .build();
  }

  /** The cached state of this hash, or null when it must be looked up. */
  Optional<LiveKey> cached(String keyHash) {
    LiveKey cached = live.getIfPresent(keyHash);
    if (cached != null) {
      return Optional.of(cached);
    }
    return unknown.getIfPresent(keyHash) != null ? Optional.empty() : null;
  }

  /**
   * The live key with this hash, or empty when there is none.
   *
   * @throws KeyLookup.DatabaseUnavailable when the key is not cached and PostgreSQL is down
   */
  public Optional<LiveKey> find(String keyHash) {
    Optional<LiveKey> cached = cached(keyHash);
    if (cached != null) {
      return cached;
    }
    long before = generation.get();
    Optional<LiveKey> found = lookup.find(keyHash);
    if (generation.get() == before) {
      if (found.isPresent()) {
        hashById.put(found.get().id(), keyHash);
        live.put(keyHash, found.get());
      } else {
        unknown.put(keyHash, Boolean.TRUE);
      }
    }
    return found;
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
        live.asMap().values().removeIf(key -> key.username().equals(change.id()));
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
}
