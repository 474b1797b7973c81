package io.keyport.check;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.keys.KeyChanged;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Key hash to key state, so the check answers a key it has seen without touching PostgreSQL.
 * Unknown hashes are remembered briefly and in bounded number, so a flood of random well-formed
 * keys costs one query per distinct key at most once a second. A committed key change evicts its
 * entry at once.
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

  @PostConstruct
  void init() {
    live = Caffeine.newBuilder().maximumSize(capacity).expireAfterWrite(ttl).build();
    unknown =
        Caffeine.newBuilder()
            .maximumSize(Math.max(1_000, capacity / 10))
            .expireAfterWrite(UNKNOWN_TTL)
            .build();
  }

  /**
   * The live key with this hash, or empty when there is none.
   *
   * @throws KeyLookup.DatabaseUnavailable when the key is not cached and PostgreSQL is down
   */
  public Optional<LiveKey> find(String keyHash) {
    LiveKey cached = live.getIfPresent(keyHash);
    if (cached != null) {
      return Optional.of(cached);
    }
    if (unknown.getIfPresent(keyHash) != null) {
      return Optional.empty();
    }
    Optional<LiveKey> found = lookup.find(keyHash);
    found.ifPresentOrElse(key -> live.put(keyHash, key), () -> unknown.put(keyHash, Boolean.TRUE));
    return found;
  }

  void onKeyChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyChanged change) {
    live.invalidate(change.keyHash());
    unknown.invalidate(change.keyHash());
  }
}
