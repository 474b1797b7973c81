package io.keyport.mirror;

import io.keyport.platform.Database;
import io.keyport.platform.Redis;
import io.lettuce.core.api.sync.RedisCommands;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Mirrors keys to Redis in Gloo Portal's layout (SPEC §5) through a transactional outbox. A key
 * change adds an outbox row in its own transaction ({@link #enqueue}); the publisher, on one node
 * at a time (a PostgreSQL advisory lock), makes Redis match each key's committed state, then marks
 * the rows delivered. Redis never sees a change before PostgreSQL commits it, and a change waits in
 * the outbox, not lost, while Redis or Keyport is down. Expired keys are swept out too.
 */
@ApplicationScoped
public class RedisMirror {

  private static final Logger LOG = Logger.getLogger(RedisMirror.class.getName());
  private static final long PUBLISHER_LOCK = 0x6b6579706f7274L; // "keyport"
  private static final int BATCH = 200;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  @PersistenceContext private EntityManager em;
  @Inject private Redis redis;
  @Inject private MirrorResync resync;

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Resource(lookup = "concurrent/keyport-background")
  private ManagedScheduledExecutorService scheduler;

  private ScheduledFuture<?> publisher;
  private volatile boolean failing;
  private long backoffMillis;
  private long nextAttempt;
  private Instant sweptUntil = Instant.now();

  /** Starts publishing and the start-up resync, when Redis is configured; called at start-up. */
  public synchronized void start() {
    if (redis.isConfigured() && publisher == null) {
      publisher = scheduler.scheduleWithFixedDelay(this::publish, 1, 250, TimeUnit.MILLISECONDS);
      scheduler.schedule(this::resyncAtStartup, 2, TimeUnit.SECONDS);
    }
  }

  /** Repairs whatever drifted while this node was down; retried until Redis answers. */
  private void resyncAtStartup() {
    try {
      resync.resync();
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.INFO, "Start-up resync of Redis failed ({0}); retrying in 30 s", e.toString());
      scheduler.schedule(this::resyncAtStartup, 30, TimeUnit.SECONDS);
    }
  }

  @PreDestroy
  void stop() {
    if (publisher != null) {
      publisher.cancel(false);
    }
  }

  public boolean isEnabled() {
    return redis.isConfigured();
  }

  /** Records, in the caller's transaction, that Redis must be brought in line for this key. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void enqueue(UUID keyId, String keyHash, String username) {
    if (!redis.isConfigured()) {
      return;
    }
    em.createNativeQuery(
            "insert into mirror_outbox (key_id, key_hash, username) values (?1, ?2, ?3)")
        .setParameter(1, keyId)
        .setParameter(2, keyHash)
        .setParameter(3, username)
        .executeUpdate();
  }

  /** Seconds since the oldest undelivered change, 0 when none waits. */
  public long lagSeconds() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement oldest =
            connection.prepareStatement(
                "select extract(epoch from now() - min(created_at))::bigint from mirror_outbox"
                    + " where delivered_at is null");
        ResultSet row = oldest.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /** Delivers what waits; one round, on the scheduler's thread. Public for tests and resync. */
  public synchronized void publish() {
    if (System.currentTimeMillis() < nextAttempt) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (!locked(connection)) {
          connection.rollback();
          return;
        }
        Instant swept = sweepExpired(connection);
        int delivered;
        do {
          delivered = deliverBatch(connection);
          connection.commit();
          sweptUntil = swept;
        } while (delivered == BATCH);
        recovered();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        failed(e);
      }
    } catch (SQLException e) {
      failed(e);
    }
  }

  private int deliverBatch(Connection connection) throws SQLException {
    Map<UUID, String[]> keys = new LinkedHashMap<>();
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement pending =
        connection.prepareStatement(
            "select id, key_id, key_hash, username from mirror_outbox where delivered_at is null"
                + " order by id limit "
                + BATCH
                + " for update skip locked")) {
      try (ResultSet row = pending.executeQuery()) {
        while (row.next()) {
          ids.add(row.getLong(1));
          keys.put(row.getObject(2, UUID.class), new String[] {row.getString(3), row.getString(4)});
        }
      }
    }
    if (ids.isEmpty()) {
      return 0;
    }
    RedisCommands<byte[], byte[]> commands = redis.connection().sync();
    String prefix = redis.keyPrefix();
    for (Map.Entry<UUID, String[]> key : keys.entrySet()) {
      MirrorState.Entry entry = MirrorState.of(connection, key.getKey());
      if (entry != null) {
        write(commands, prefix, entry);
      } else {
        remove(commands, prefix, key.getKey().toString(), key.getValue()[0], key.getValue()[1]);
      }
    }
    try (PreparedStatement done =
        connection.prepareStatement(
            "update mirror_outbox set delivered_at = now() where id = any(?)")) {
      Array array = connection.createArrayOf("bigint", ids.toArray());
      done.setArray(1, array);
      done.executeUpdate();
    }
    return ids.size();
  }

  static void write(
      RedisCommands<byte[], byte[]> commands, String prefix, MirrorState.Entry entry) {
    commands.set(bytes(prefix + entry.uuid()), bytes(entry.hash()));
    commands.set(bytes(prefix + entry.hash()), bytes(entry.json()));
    commands.sadd(bytes(prefix + entry.username()), bytes(entry.hash()));
  }

  static void remove(
      RedisCommands<byte[], byte[]> commands,
      String prefix,
      String uuid,
      String hash,
      String username) {
    commands.del(bytes(prefix + uuid), bytes(prefix + hash));
    commands.srem(bytes(prefix + username), bytes(hash));
  }

  private boolean locked(Connection connection) throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
      lock.setLong(1, PUBLISHER_LOCK);
      try (ResultSet row = lock.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** Queues the keys that expired since the last sweep; returns the new sweep mark. */
  private Instant sweepExpired(Connection connection) throws SQLException {
    Instant now = Instant.now();
    try (PreparedStatement sweep =
        connection.prepareStatement(
            "insert into mirror_outbox (key_id, key_hash, username)"
                + " select k.id, k.key_hash, u.username from api_key k"
                + " join app_user u on u.id = k.user_id"
                + " where k.revoked_at is null and k.expires_at > ? and k.expires_at <= ?")) {
      sweep.setTimestamp(1, Timestamp.from(sweptUntil));
      sweep.setTimestamp(2, Timestamp.from(now));
      sweep.executeUpdate();
    }
    return now;
  }

  private void recovered() {
    backoffMillis = 0;
    nextAttempt = 0;
    if (failing) {
      failing = false;
      LOG.info("Redis mirror delivers again");
    }
  }

  private void failed(Exception e) {
    backoffMillis = backoffMillis == 0 ? 500 : Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    nextAttempt = System.currentTimeMillis() + backoffMillis;
    if (!failing) {
      failing = true;
      LOG.log(
          Level.WARNING,
          "Redis mirror cannot deliver ({0}); changes wait in the outbox and are retried",
          e.toString());
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
