package io.keyport.limits;

import io.keyport.platform.Database;
import io.keyport.platform.Unproxied;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Counts the check's answers per key, hour and outcome in memory, and adds them to table {@code
 * key_usage} in one batch every few seconds and at shutdown: never one write per request. Counts
 * that fail to be written are kept for the next round.
 */
@ApplicationScoped
public class UsageMeter {

  private static final Logger LOG = Logger.getLogger(UsageMeter.class.getName());
  private static final long FLUSH_SECONDS = 5;

  public static final String ADMITTED = "admitted";

  /** One row of {@code key_usage}. */
  record Slot(UUID keyId, Instant hour, String outcome) {}

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Resource(lookup = "concurrent/keyport-background")
  private ManagedScheduledExecutorService scheduler;

  @Inject private RecentTraffic recent;

  private final Map<Slot, LongAdder> pending = new ConcurrentHashMap<>();
  private ScheduledFuture<?> flusher;
  private volatile boolean failing;

  @PostConstruct
  void start() {
    recent = recent.unproxied().bean(); // counted into on every check, on the check's hot path
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

  /** Counts one answer for a known key; {@code outcome} is "admitted" or the denial's word. */
  public void record(UUID keyId, String outcome) {
    Instant now = Instant.now();
    recent.count(outcome, now.toEpochMilli());
    Instant hour = now.truncatedTo(ChronoUnit.HOURS);
    pending.computeIfAbsent(new Slot(keyId, hour, outcome), slot -> new LongAdder()).increment();
  }

  /** Adds what is pending to the database. */
  public synchronized void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<Slot, Long> batch = new HashMap<>();
    for (Map.Entry<Slot, LongAdder> entry : pending.entrySet()) {
      long counted = entry.getValue().sumThenReset();
      if (counted > 0) {
        batch.put(entry.getKey(), counted);
      }
    }
    // Only slots of past hours are dropped: no request counts into them any more, so no count
    // can slip in between reading a slot and dropping it.
    Instant previousHour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
    pending
        .entrySet()
        .removeIf(
            entry -> entry.getKey().hour().isBefore(previousHour) && entry.getValue().sum() == 0);
    if (batch.isEmpty()) {
      return;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement upsert =
            connection.prepareStatement(
                "insert into key_usage (key_id, hour, outcome, count)"
                    + " select ?, ?, ?, ? where exists (select 1 from api_key where id = ?)"
                    + " on conflict (key_id, hour, outcome)"
                    + " do update set count = key_usage.count + excluded.count")) {
      for (Map.Entry<Slot, Long> entry : batch.entrySet()) {
        Slot slot = entry.getKey();
        upsert.setObject(1, slot.keyId());
        upsert.setTimestamp(2, Timestamp.from(slot.hour()));
        upsert.setString(3, slot.outcome());
        upsert.setLong(4, entry.getValue());
        upsert.setObject(5, slot.keyId());
        upsert.addBatch();
      }
      upsert.executeBatch();
      if (failing) {
        LOG.info("Usage metering writes again");
        failing = false;
      }
    } catch (SQLException e) {
      batch.forEach(
          (slot, counted) -> pending.computeIfAbsent(slot, s -> new LongAdder()).add(counted));
      if (!failing) {
        LOG.log(Level.WARNING, "Could not write usage counts; keeping them: {0}", e.getMessage());
        failing = true;
      }
    }
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  public Unproxied<UsageMeter> unproxied() {
    return new Unproxied<>(this);
  }
}
