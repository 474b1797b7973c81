package io.keyport.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.platform.Database;
import io.keyport.platform.Unproxied;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Records when keys were last used without a database write per request: a use is noted in memory
 * at most once per key per minute, and the notes are written in one batch every few seconds (and at
 * shutdown). A failed write keeps its notes for the next round.
 */
@ApplicationScoped
public class LastUsed {

  static final Duration RESOLUTION = Duration.ofMinutes(1);
  private static final long FLUSH_SECONDS = 5;
  private static final Logger LOG = Logger.getLogger(LastUsed.class.getName());

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Resource(lookup = "concurrent/keyport-background")
  private ManagedScheduledExecutorService scheduler;

  private final Cache<UUID, Instant> noted =
      Caffeine.newBuilder().expireAfterWrite(RESOLUTION).maximumSize(2_000_000).build();
  private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();
  private ScheduledFuture<?> flusher;
  private volatile boolean failing;

  @PostConstruct
  void start() {
    flusher =
        scheduler.scheduleWithFixedDelay(
            this::flush, FLUSH_SECONDS, FLUSH_SECONDS, TimeUnit.SECONDS);
  }

  @PreDestroy
  void stop() {
    if (flusher != null) {
      flusher.cancel(false);
    }
    flush();
  }

  /** Notes a use of the key; cheap enough for every admitted request. */
  public void touch(UUID keyId) {
    if (noted.getIfPresent(keyId) == null) {
      Instant now = Instant.now();
      noted.put(keyId, now);
      pending.merge(keyId, now, (a, b) -> a.isAfter(b) ? a : b);
    }
  }

  /** Writes what is pending; public for tests and shutdown. */
  public synchronized void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<UUID, Instant> batch = new HashMap<>();
    pending.forEach(
        (id, at) -> {
          batch.put(id, at);
          pending.remove(id, at);
        });
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "update api_key set last_used_at = ? where id = ?"
                    + " and (last_used_at is null or last_used_at < ?)")) {
      for (Map.Entry<UUID, Instant> use : batch.entrySet()) {
        Timestamp at = Timestamp.from(use.getValue());
        update.setTimestamp(1, at);
        update.setObject(2, use.getKey());
        update.setTimestamp(3, at);
        update.addBatch();
      }
      update.executeBatch();
      if (failing) {
        LOG.info("Recording key use works again");
        failing = false;
      }
    } catch (SQLException e) {
      batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
      if (!failing) {
        LOG.log(Level.WARNING, "Could not record key use; will retry: {0}", e.getMessage());
        failing = true;
      }
    }
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  public Unproxied<LastUsed> unproxied() {
    return new Unproxied<>(this);
  }
}
