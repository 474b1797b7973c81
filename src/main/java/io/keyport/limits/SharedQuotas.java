package io.keyport.limits;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The monthly quota of {@link MonthlyQuotas}, counted in Redis so that every node draws on one
 * count per {@link QuotaScope} (user, product, plan) and month. A scope's count starts from what
 * the database has metered for the month, set by whichever node first finds it missing (also after
 * Redis lost its data); it expires a week after the month ends.
 */
final class SharedQuotas {

  /**
   * KEYS[1] the month's count; ARGV[1] the database's count or "" when not read yet, ARGV[2] the
   * quota, ARGV[3] seconds to keep the count. Answers {admitted 1/0, used}, or {-1, 0} when the
   * count is missing and ARGV[1] was "".
   */
  private static final String TAKE =
      """
      if redis.call('EXISTS', KEYS[1]) == 0 then
        if ARGV[1] == '' then return {-1, 0} end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3], 'NX')
      end
      local used = redis.call('INCR', KEYS[1])
      if used > tonumber(ARGV[2]) then
        redis.call('DECR', KEYS[1])
        return {0, used - 1}
      end
      return {1, used}
      """;

  private final RedisClusterCommands<byte[], byte[]> redis;
  private final String prefix;
  private final Clock clock;
  private final BiFunction<QuotaScope, YearMonth, Long> stored;
  private final String digest;

  /**
   * @param stored reads the admitted requests the database holds for a scope and month; may throw
   *     when the database is down
   */
  SharedQuotas(
      RedisClusterCommands<byte[], byte[]> redis,
      String prefix,
      Clock clock,
      BiFunction<QuotaScope, YearMonth, Long> stored) {
    this.redis = redis;
    this.prefix = prefix;
    this.clock = clock;
    this.stored = stored;
    this.digest = redis.digest(TAKE);
  }

  /**
   * Counts one request if the quota allows it.
   *
   * @throws RuntimeException when Redis does not answer in time
   */
  Admission take(QuotaScope scope, long quota) {
    YearMonth month = month();
    byte[] name = name(scope, month);
    String keep = Long.toString(secondsUntil(month.plusMonths(1)) + Duration.ofDays(7).toSeconds());
    List<Long> answer = run(name, "", quota, keep);
    if (answer.get(0) == -1) {
      answer = run(name, Long.toString(stored.apply(scope, month)), quota, keep);
    }
    if (answer.get(0) == 1) {
      return Admission.UNLIMITED;
    }
    return new Admission(
        false, Admission.QUOTA_EXCEEDED, -1, 0, 0, Math.max(1, secondsUntil(month.plusMonths(1))));
  }

  /**
   * Gives back a request counted by {@link #take} that another limit then refused.
   *
   * @return the month's count after giving back
   */
  long giveBack(QuotaScope scope) {
    return redis.decr(name(scope, month()));
  }

  private List<Long> run(byte[] name, String stored, long quota, String keep) {
    byte[][] keys = {name};
    byte[][] args = {bytes(stored), bytes(Long.toString(quota)), bytes(keep)};
    try {
      return redis.evalsha(digest, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException notLoadedYet) { // Redis restarted or flushed its scripts
      return redis.eval(TAKE, ScriptOutputType.MULTI, keys, args);
    }
  }

  // Product slugs and plan names are lowercase letters, digits and '-', so only the username,
  // last, can hold a ':'; the name stays unambiguous.
  private byte[] name(QuotaScope scope, YearMonth month) {
    return bytes(
        prefix
            + "keyport:quota:"
            + month
            + ":"
            + scope.product()
            + ":"
            + scope.plan()
            + ":"
            + scope.username());
  }

  private long secondsUntil(YearMonth month) {
    return Duration.between(
            clock.instant(), month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant())
        .toSeconds();
  }

  private YearMonth month() {
    return YearMonth.now(clock.withZone(ZoneOffset.UTC));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
