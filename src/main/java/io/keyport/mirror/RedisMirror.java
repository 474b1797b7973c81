package io.keyport.mirror;

import io.keyport.platform.Database;
import io.keyport.platform.Redis;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * the outbox, not lost, while Redis or Keyport is down. Expired keys are swept out too. A change
 * that Redis itself refuses is set aside as a dead letter so it cannot hold back the others.
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
  private volatile long resyncDue;
  private volatile boolean failing;
  private long backoffMillis;
  private long nextAttempt;
  private Instant sweptUntil = Instant.now();

  /** Starts publishing and the start-up resync, when Redis is configured; called at start-up. */
  public synchronized void start() {
    if (redis.isConfigured() && publisher == null) {
      publisher = scheduler.scheduleWithFixedDelay(this::publish, 1, 250, TimeUnit.MILLISECONDS);
      scheduler.schedule(this::resyncRetrying, 2, TimeUnit.SECONDS);
      if (redis.isCluster()) {
        redis.onTopologyChange(this::resyncAfterTopologyChange);
      }
    }
  }

  /**
   * A Redis Cluster replicates asynchronously: a master that crashes may take the last writes it
   * acknowledged with it, and its replica takes over without them. Those writes were delivered, as
   * far as the outbox knows, so after every failover (or other topology change) the mirror is
   * compared with the database once more, a few seconds later, when the new master serves. Called
   * on a Redis client thread: the publisher's next round, on the container's scheduler, starts it.
   */
  private void resyncAfterTopologyChange() {
    resyncDue = System.currentTimeMillis() + 3_000;
  }

  /**
   * Repairs whatever drifted while this node was down, or went with a crashed cluster master;
   * retried until Redis answers.
   */
  private void resyncRetrying() {
    try {
      resync.resync();
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.INFO, "Resync of Redis failed ({0}); retrying in 30 s", e.toString());
      scheduler.schedule(this::resyncRetrying, 30, TimeUnit.SECONDS);
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

  /** How far behind the mirror is: dead letters count as undelivered. */
  public record Backlog(long lagSeconds, long waiting, long deadLetters) {}

  /** A change Redis refused, set aside so the others flow; retried by a resync. */
  public record DeadLetter(
      long id,
      UUID keyId,
      String username,
      String error,
      int attempts,
      Instant failedAt,
      Instant createdAt) {}

  /** Seconds since the oldest undelivered change (dead letters included), 0 when none waits. */
  public long lagSeconds() throws SQLException {
    return backlog().lagSeconds();
  }

  /** The age of the oldest undelivered change, and how many wait, dead letters among them. */
  public Backlog backlog() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement backlog =
            connection.prepareStatement(
                "select coalesce(extract(epoch from now() - min(created_at))::bigint, 0),"
                    + " count(*), count(dead_at) from mirror_outbox where delivered_at is null");
        ResultSet row = backlog.executeQuery()) {
      row.next();
      return new Backlog(row.getLong(1), row.getLong(2), row.getLong(3));
    }
  }

  /** The dead letters, oldest first, at most {@code limit}. */
  public List<DeadLetter> deadLetters(int limit) throws SQLException {
    List<DeadLetter> letters = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement dead =
            connection.prepareStatement(
                "select id, key_id, username, last_error, attempts, dead_at, created_at"
                    + " from mirror_outbox where dead_at is not null and delivered_at is null"
                    + " order by id limit ?")) {
      dead.setInt(1, limit);
      try (ResultSet row = dead.executeQuery()) {
        while (row.next()) {
          letters.add(
              new DeadLetter(
                  row.getLong(1),
                  row.getObject(2, UUID.class),
                  row.getString(3),
                  row.getString(4),
                  row.getInt(5),
                  row.getTimestamp(6).toInstant(),
                  row.getTimestamp(7).toInstant()));
        }
      }
    }
    return letters;
  }

  /** Delivers what waits; one round, on the scheduler's thread. Public for tests and resync. */
  public synchronized void publish() {
    long due = resyncDue;
    if (due != 0 && System.currentTimeMillis() >= due) {
      resyncDue = 0;
      scheduler.execute(this::resyncRetrying);
    }
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
        int taken;
        do {
          taken = deliverBatch(connection);
          connection.commit();
          sweptUntil = swept;
        } while (taken == BATCH);
        recovered();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        failed(e);
      }
    } catch (SQLException e) {
      failed(e);
    }
  }

  /** The outbox rows of one key in a batch, and what a removal needs to know. */
  private record Pending(Set<String> hashes, String username, List<Long> ids) {}

  /**
   * Applies one batch of waiting rows, in order. A row Redis refuses (an error reply, not an
   * outage) is set aside as a dead letter and the rest go on; an outage fails the whole batch,
   * which is retried as it is. Returns how many rows the batch took.
   */
  private int deliverBatch(Connection connection) throws SQLException {
    Map<UUID, Pending> keys = new LinkedHashMap<>();
    int taken = 0;
    try (PreparedStatement pending =
        connection.prepareStatement(
            "select id, key_id, key_hash, username from mirror_outbox"
                + " where delivered_at is null and dead_at is null"
                + " order by id limit "
                + BATCH
                + " for update skip locked")) {
      try (ResultSet row = pending.executeQuery()) {
        while (row.next()) {
          taken++;
          Pending earlier = keys.get(row.getObject(2, UUID.class));
          List<Long> ids = earlier == null ? new ArrayList<>() : earlier.ids();
          Set<String> hashes = earlier == null ? new LinkedHashSet<>() : earlier.hashes();
          ids.add(row.getLong(1));
          hashes.add(row.getString(3));
          keys.put(row.getObject(2, UUID.class), new Pending(hashes, row.getString(4), ids));
        }
      }
    }
    if (taken == 0) {
      return 0;
    }
    RedisClusterCommands<byte[], byte[]> commands = redis.commands();
    String prefix = redis.keyPrefix();
    List<Long> delivered = new ArrayList<>();
    List<UUID> settled = new ArrayList<>();
    for (Map.Entry<UUID, Pending> key : keys.entrySet()) {
      Pending rows = key.getValue();
      try {
        List<MirrorState.Entry> entries = MirrorState.of(connection, key.getKey());
        // Every hash the key answered to, by its rows and by the database: those it answers to no
        // longer (a grace that ended, a deletion during one) leave Redis.
        Set<String> gone = new LinkedHashSet<>(rows.hashes());
        gone.addAll(MirrorState.hashesOf(connection, key.getKey()));
        for (MirrorState.Entry entry : entries) {
          write(commands, prefix, entry);
          gone.remove(entry.hash());
        }
        if (entries.isEmpty()) {
          commands.del(bytes(prefix + key.getKey()));
        }
        for (String hash : gone) {
          remove(commands, prefix, hash, rows.username());
        }
        delivered.addAll(rows.ids());
        settled.add(key.getKey());
      } catch (RedisCommandExecutionException refused) {
        setAside(connection, key.getKey(), rows, refused);
      }
    }
    // A key whose state has now reached Redis needs none of its older dead letters any more.
    try (PreparedStatement done =
        connection.prepareStatement(
            "update mirror_outbox set delivered_at = now() where id = any(?)"
                + " or (key_id = any(?) and dead_at is not null and delivered_at is null)")) {
      done.setArray(1, connection.createArrayOf("bigint", delivered.toArray()));
      done.setArray(2, connection.createArrayOf("uuid", settled.toArray()));
      done.executeUpdate();
    }
    return taken;
  }

  private void setAside(
      Connection connection, UUID keyId, Pending rows, RedisCommandExecutionException refused)
      throws SQLException {
    String error = String.valueOf(refused.getMessage());
    try (PreparedStatement dead =
        connection.prepareStatement(
            "update mirror_outbox set dead_at = now(), attempts = attempts + 1, last_error = ?"
                + " where id = any(?)")) {
      dead.setString(1, error.length() > 1000 ? error.substring(0, 1000) : error);
      dead.setArray(2, connection.createArrayOf("bigint", rows.ids().toArray()));
      dead.executeUpdate();
    }
    LOG.log(
        Level.WARNING,
        "Redis refused the mirror change of key {0} (user {1}): {2}. It is set aside as a dead"
            + " letter (admin page Redis mirror); fix Redis, then resync to retry it.",
        new Object[] {keyId, rows.username(), error});
  }

  /**
   * Writes a key's entries. A previous value's JSON also expires in Redis itself at its grace end,
   * so Gloo's ext-auth refuses it then even if no Keyport is running to sweep it out.
   */
  static void write(
      RedisClusterCommands<byte[], byte[]> commands, String prefix, MirrorState.Entry entry) {
    if (entry.current()) {
      commands.set(bytes(prefix + entry.uuid()), bytes(entry.hash()));
      commands.set(bytes(prefix + entry.hash()), bytes(entry.json()));
    } else {
      commands.set(
          bytes(prefix + entry.hash()),
          bytes(entry.json()),
          SetArgs.Builder.pxAt(entry.graceUntil().toEpochMilli()));
    }
    commands.sadd(bytes(prefix + entry.username()), bytes(entry.hash()));
  }

  /** Removes one value's entries: its JSON and its place in the user's set. */
  static void remove(
      RedisClusterCommands<byte[], byte[]> commands, String prefix, String hash, String username) {
    commands.del(bytes(prefix + hash));
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

  /**
   * Queues the keys that expired, and the previous values whose grace ended, since the last sweep;
   * returns the new sweep mark.
   */
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
    // A roll's grace that ended: the previous value's entries leave (SPEC §11).
    try (PreparedStatement graces =
        connection.prepareStatement(
            "insert into mirror_outbox (key_id, key_hash, username)"
                + " select k.id, k.previous_key_hash, u.username from api_key k"
                + " join app_user u on u.id = k.user_id"
                + " where k.previous_key_hash is not null"
                + " and k.previous_valid_until > ? and k.previous_valid_until <= ?")) {
      graces.setTimestamp(1, Timestamp.from(sweptUntil));
      graces.setTimestamp(2, Timestamp.from(now));
      graces.executeUpdate();
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
