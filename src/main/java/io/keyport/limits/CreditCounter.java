package io.keyport.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.keys.KeyCredits;
import io.keyport.keys.LiveKey;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Takes one of a key's credits per admitted request (SPEC §11), exactly under concurrency.
 *
 * <p>Local mode: PostgreSQL holds the count and each take is one atomic {@code update ... where
 * remaining > 0 returning}, so concurrent requests on any number of nodes never take more than
 * there is, a node start reads nothing stale, and an administrator's new setting applies to the
 * next take. That is one database round trip per admitted request of a key with credits (keys
 * without credits never pay it); an exhausted key is refused from memory until its next refill or a
 * new setting, so a client hammering an empty key costs no database work.
 *
 * <p>Redis mode: the count of the key's setting (its generation) lives in Redis and a Lua script
 * takes from it atomically, shared by every node; the first node to find it missing loads it from
 * PostgreSQL. The counts Redis answers are written back to PostgreSQL once a second (only downwards
 * within a period), for the pages and for a Redis that lost its data.
 */
final class CreditCounter {

  static final String CREDITS_EXHAUSTED = "credits_exhausted";

  private static final String TAKE =
      """
      update api_key_credits
         set remaining = (case when refill_interval is not null and refilled_at < ?
                               then refill_amount else remaining end) - 1,
             refilled_at = case when refill_interval is not null and refilled_at < ?
                                then ? else refilled_at end
       where key_id = ?
         and (remaining > 0 or (refill_interval is not null and refilled_at < ?))
      returning remaining
      """;

  private static final String STORED =
      "select remaining, refilled_at from api_key_credits where key_id = ? and generation = ?";

  private static final String WRITE_BACK =
      """
      update api_key_credits set remaining = ?, refilled_at = greatest(refilled_at, ?)
       where key_id = ? and generation = ? and (refilled_at < ? or remaining > ?)
      """;

  /**
   * KEYS[1] the count of one setting, a hash {remaining, period}; ARGV[1] the current period's
   * start (epoch seconds, 0 without refill), ARGV[2] the refill amount, ARGV[3] the stored
   * remaining or "" when not read yet, ARGV[4] the stored period, ARGV[5] seconds to keep it.
   * Answers {admitted 1/0, remaining, period}, or {-1, 0, 0} when missing and ARGV[3] is "".
   */
  private static final String SHARED_TAKE =
      """
      if redis.call('EXISTS', KEYS[1]) == 0 then
        if ARGV[3] == '' then return {-1, 0, 0} end
        redis.call('HSET', KEYS[1], 'remaining', ARGV[3], 'period', ARGV[4])
      end
      local remaining = tonumber(redis.call('HGET', KEYS[1], 'remaining'))
      local period = tonumber(redis.call('HGET', KEYS[1], 'period'))
      if tonumber(ARGV[1]) > period then
        remaining = tonumber(ARGV[2])
        period = tonumber(ARGV[1])
        redis.call('HSET', KEYS[1], 'remaining', remaining, 'period', period)
      end
      redis.call('EXPIRE', KEYS[1], ARGV[5])
      if remaining <= 0 then return {0, remaining, period} end
      remaining = redis.call('HINCRBY', KEYS[1], 'remaining', -1)
      return {1, remaining, period}
      """;

  private static final Duration KEEP = Duration.ofDays(40);

  private record Exhausted(long generation, Instant until) {}

  private record Seen(long generation, long remaining, Instant period) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Cache<UUID, Exhausted> exhausted =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofDays(32)).maximumSize(1_000_000).build();
  private final Map<UUID, Seen> toWriteBack = new ConcurrentHashMap<>();
  private volatile RedisClusterCommands<byte[], byte[]> redis;
  private volatile String prefix = "";
  private volatile String digest;

  CreditCounter(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Uses Redis for {@link #takeShared}. */
  void share(RedisClusterCommands<byte[], byte[]> redis, String prefix) {
    this.prefix = prefix;
    this.digest = redis.digest(SHARED_TAKE);
    // Last: a check that sees the connection (shared()) must also see the prefix and the digest.
    this.redis = redis;
  }

  boolean shared() {
    return redis != null;
  }

  /** Whether the key is known to be out of credits until its next refill: no I/O needed. */
  boolean knownExhausted(LiveKey key) {
    return exhaustedUntil(key, clock.instant()) != null;
  }

  private Instant exhaustedUntil(LiveKey key, Instant now) {
    Exhausted memo = exhausted.getIfPresent(key.id());
    if (memo == null
        || memo.generation() != key.credits().generation()
        || !now.isBefore(memo.until())) {
      return null;
    }
    return memo.until();
  }

  /**
   * Takes one credit in PostgreSQL.
   *
   * @throws SQLException when the database does not answer
   */
  Admission take(LiveKey key) throws SQLException {
    KeyCredits credits = key.credits();
    Instant now = clock.instant();
    if (exhaustedUntil(key, now) != null) {
      return refusal(credits, now);
    }
    Timestamp period =
        credits.refills() ? Timestamp.from(credits.refillInterval().periodStart(now)) : null;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement take = connection.prepareStatement(TAKE)) {
      take.setTimestamp(1, period);
      take.setTimestamp(2, period);
      take.setTimestamp(3, period);
      take.setObject(4, key.id());
      take.setTimestamp(5, period);
      try (ResultSet row = take.executeQuery()) {
        if (row.next()) {
          return Admission.UNLIMITED;
        }
      }
    }
    return exhaust(key, now);
  }

  /**
   * Takes one credit from the count in Redis.
   *
   * @throws RuntimeException when Redis does not answer; SQLException when the count must be loaded
   *     and the database does not answer
   */
  Admission takeShared(LiveKey key) throws SQLException {
    KeyCredits credits = key.credits();
    Instant now = clock.instant();
    if (exhaustedUntil(key, now) != null) {
      return refusal(credits, now);
    }
    byte[] name = bytes(prefix + "keyport:credits:" + key.id() + ":" + credits.generation());
    String period =
        credits.refills()
            ? Long.toString(credits.refillInterval().periodStart(now).getEpochSecond())
            : "0";
    String amount = credits.refills() ? Long.toString(credits.refillAmount()) : "0";
    List<Long> answer = runShared(name, period, amount, "", "0");
    if (answer.get(0) == -1) {
      Seen stored = stored(key);
      if (stored == null) {
        return Admission.UNLIMITED; // the setting changed meanwhile: the next lookup has it
      }
      answer =
          runShared(
              name,
              period,
              amount,
              Long.toString(stored.remaining()),
              Long.toString(stored.period().getEpochSecond()));
    }
    toWriteBack.put(
        key.id(),
        new Seen(credits.generation(), answer.get(1), Instant.ofEpochSecond(answer.get(2))));
    return answer.get(0) == 1 ? Admission.UNLIMITED : exhaust(key, now);
  }

  /** Writes the counts Redis answered since the last call back to PostgreSQL. */
  void writeBack() throws SQLException {
    if (toWriteBack.isEmpty()) {
      return;
    }
    Map<UUID, Seen> batch = Map.copyOf(toWriteBack);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update = connection.prepareStatement(WRITE_BACK)) {
      for (Map.Entry<UUID, Seen> entry : batch.entrySet()) {
        Seen seen = entry.getValue();
        Timestamp period = Timestamp.from(seen.period());
        long remaining = Math.max(0, seen.remaining());
        update.setLong(1, remaining);
        update.setTimestamp(2, period);
        update.setObject(3, entry.getKey());
        update.setLong(4, seen.generation());
        update.setTimestamp(5, period);
        update.setLong(6, remaining);
        update.addBatch();
      }
      update.executeBatch();
    }
    batch.forEach(toWriteBack::remove);
  }

  private Seen stored(LiveKey key) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(STORED)) {
      select.setObject(1, key.id());
      select.setLong(2, key.credits().generation());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        KeyCredits credits = key.credits();
        Instant refilledAt = row.getTimestamp(2).toInstant();
        // Counted from the start of the period the stored count belongs to, as Redis compares.
        Instant period =
            credits.refills() ? credits.refillInterval().periodStart(refilledAt) : Instant.EPOCH;
        return new Seen(credits.generation(), row.getLong(1), period);
      }
    }
  }

  private List<Long> runShared(
      byte[] name, String period, String amount, String stored, String storedPeriod) {
    byte[][] keys = {name};
    byte[][] args = {
      bytes(period),
      bytes(amount),
      bytes(stored),
      bytes(storedPeriod),
      bytes(Long.toString(KEEP.toSeconds()))
    };
    try {
      return redis.evalsha(digest, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException notLoadedYet) {
      return redis.eval(SHARED_TAKE, ScriptOutputType.MULTI, keys, args);
    }
  }

  private Admission exhaust(LiveKey key, Instant now) {
    KeyCredits credits = key.credits();
    Instant until = credits.refills() ? credits.nextRefillAt(now) : Instant.MAX;
    exhausted.put(key.id(), new Exhausted(credits.generation(), until));
    return refusal(credits, now);
  }

  static Admission refusal(KeyCredits credits, Instant now) {
    return new Admission(false, CREDITS_EXHAUSTED, -1, 0, 0, credits.retryAfterSeconds(now));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
