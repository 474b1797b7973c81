package io.keyport.mirror;

import io.keyport.platform.Database;
import io.keyport.platform.Redis;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Compares Redis with PostgreSQL and repairs every difference in Keyport's entries: missing ones
 * are written, stale ones rewritten, orphaned ones removed. An entry is Keyport's only by its
 * shape: a UUID name holding a hash, a hash name holding Gloo's key JSON, or a Keyport user's set
 * of hashes; anything else under the prefix is left alone. An entry Redis refuses is counted and
 * skipped, not a reason to stop; afterwards the mirror's dead letters are queued again.
 */
@ApplicationScoped
public class MirrorResync {

  private static final Logger LOG = Logger.getLogger(MirrorResync.class.getName());
  private static final Pattern UUID_NAME =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern HASH_NAME = RedisNames.HASH_NAME;

  /**
   * What a resync found and repaired: {@code refused} entries Redis would not take (a user's name
   * holding something other than a set), {@code retried} dead letters handed back to the mirror.
   */
  public record Summary(
      int liveKeys, int missing, int stale, int orphaned, int refused, int retried) {}

  @Inject private Redis redis;

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  /**
   * Makes Redis match the database.
   *
   * @throws IllegalStateException when Redis is not configured
   * @throws RuntimeException when Redis or the database cannot be reached
   */
  public synchronized Summary resync() throws SQLException {
    Map<String, MirrorState.Entry> expected;
    Set<String> users = new HashSet<>();
    try (Connection connection = dataSource.getConnection()) {
      expected = MirrorState.all(connection);
      try (PreparedStatement statement =
              connection.prepareStatement("select username from app_user");
          ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          users.add(row.getString(1));
        }
      }
    }
    Map<String, String> hashByUuid = new HashMap<>();
    Map<String, Set<String>> hashesByUser = new HashMap<>();
    int liveKeys = 0;
    for (MirrorState.Entry entry : expected.values()) {
      if (entry.current()) {
        hashByUuid.put(entry.uuid(), entry.hash());
        liveKeys++;
      }
      hashesByUser.computeIfAbsent(entry.username(), u -> new HashSet<>()).add(entry.hash());
    }

    RedisClusterCommands<byte[], byte[]> commands = redis.commands();
    String prefix = redis.keyPrefix();
    int stale = 0;
    int orphaned = 0;
    Set<String> seenUuids = new HashSet<>();
    Set<String> seenHashes = new HashSet<>();
    Set<String> seenMemberships = new HashSet<>();
    ScanArgs match = ScanArgs.Builder.matches(globEscape(prefix) + "*").limit(1000);
    for (RedisClusterCommands<byte[], byte[]> keyspace : redis.keyspaces()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<byte[]> page = keyspace.scan(cursor, match);
        for (byte[] rawName : page.getKeys()) {
          String name = new String(rawName, StandardCharsets.UTF_8).substring(prefix.length());
          String type = commands.type(rawName);
          if (UUID_NAME.matcher(name).matches() && type.equals("string")) {
            String want = hashByUuid.get(name);
            String have = text(commands.get(rawName));
            if (want == null) {
              if (HASH_NAME.matcher(have).matches()) {
                commands.del(rawName);
                orphaned++;
              }
            } else {
              seenUuids.add(name);
              if (!want.equals(have)) {
                commands.set(rawName, RedisMirror.bytes(want));
                stale++;
              }
            }
          } else if (HASH_NAME.matcher(name).matches() && type.equals("string")) {
            String have = text(commands.get(rawName));
            MirrorState.Entry want = expected.get(name);
            if (want == null) {
              if (have.startsWith("{\"api_key\":")) {
                commands.del(rawName);
                orphaned++;
              }
            } else {
              seenHashes.add(name);
              if (!want.json().equals(have)) {
                RedisMirror.write(commands, prefix, want);
                stale++;
              }
            }
          } else if (users.contains(name) && type.equals("set")) {
            Set<String> want = hashesByUser.getOrDefault(name, Set.of());
            for (byte[] member : commands.smembers(rawName)) {
              String hash = text(member);
              if (want.contains(hash)) {
                seenMemberships.add(hash);
              } else if (HASH_NAME.matcher(hash).matches()) {
                commands.srem(rawName, member);
                orphaned++;
              }
            }
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
    }

    int missing = 0;
    int refused = 0;
    for (MirrorState.Entry entry : expected.values()) {
      try {
        if (entry.current() && !seenUuids.contains(entry.uuid())) {
          commands.set(RedisMirror.bytes(prefix + entry.uuid()), RedisMirror.bytes(entry.hash()));
          missing++;
        }
        if (!seenHashes.contains(entry.hash())) {
          RedisMirror.write(commands, prefix, entry);
          missing++;
        }
        if (!seenMemberships.contains(entry.hash())) {
          commands.sadd(
              RedisMirror.bytes(prefix + entry.username()), RedisMirror.bytes(entry.hash()));
          missing++;
        }
      } catch (RedisCommandExecutionException e) {
        refused++;
        LOG.warning(
            "Resync: Redis refused an entry of key " + entry.uuid() + " (" + e.getMessage() + ")");
      }
    }
    int retried = retryDeadLetters();
    Summary summary = new Summary(liveKeys, missing, stale, orphaned, refused, retried);
    LOG.info("Redis mirror resynced: " + summary);
    return summary;
  }

  /** Hands every dead letter back to the publisher, which sets it aside again if Redis refuses. */
  private int retryDeadLetters() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement retry =
            connection.prepareStatement(
                "update mirror_outbox set dead_at = null"
                    + " where dead_at is not null and delivered_at is null")) {
      return retry.executeUpdate();
    }
  }

  private static String text(byte[] value) {
    return value == null ? "" : new String(value, StandardCharsets.UTF_8);
  }

  private static String globEscape(String prefix) {
    return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
