package io.keyport.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.TimeMeter;
import io.keyport.catalog.RateUnit;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's slices of the shared buckets in redis mode: a node takes a slice of a key's tokens
 * from Redis in one call and admits from it in memory, so a busy key costs one Redis call per slice
 * instead of one per request. A slice is about 1% of the limit (at least one token), so a plan of
 * up to 199 per unit (the demo plans) takes one token per call and stays exact across nodes. Every
 * admitted request spent a token that Redis handed out, so all nodes together never admit more than
 * the one bucket allows; what a slice still holds after {@link #LIFETIME} is given back to Redis,
 * so a quiet node does not keep tokens another needs.
 */
final class TokenSlices {

  /** A slice's unused tokens go back to Redis this long after it was taken. */
  static final Duration LIFETIME = Duration.ofSeconds(1);

  /** What Redis handed out for one reservation. */
  record Reservation(long granted, long remaining, long nanosToWait) {}

  /** The shared bucket in Redis, as the slices use it ({@link SharedBuckets}). */
  interface Bank {
    /**
     * Takes up to {@code tokens} from the key's shared bucket.
     *
     * @throws RuntimeException when Redis does not answer
     */
    Reservation reserve(UUID keyId, int requests, RateUnit unit, long tokens);

    /** Gives unused tokens back to the key's shared bucket (never above its capacity). */
    void giveBack(UUID keyId, int requests, RateUnit unit, long tokens);
  }

  private static final class Slice {
    final int requests;
    final RateUnit unit;
    final AtomicLong tokens = new AtomicLong();
    volatile long takenAt;
    volatile long remainingInRedis;
    volatile long refusedUntil;
    volatile boolean refusedOnce;

    Slice(int requests, RateUnit unit) {
      this.requests = requests;
      this.unit = unit;
    }
  }

  private final TimeMeter clock;
  private final Bank bank;
  private final long lifetimeNanos = LIFETIME.toNanos();
  private final Cache<UUID, Slice> slices =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(100_000).build();

  TokenSlices(TimeMeter clock, Bank bank) {
    this.clock = clock;
    this.bank = bank;
  }

  /** Tokens a node takes from Redis at once for a plan of {@code requests} per unit. */
  static long sliceSize(int requests) {
    return Math.max(1, requests / 100);
  }

  /**
   * Decides from this node's slice alone: admitted while it holds a token, refused while Redis last
   * said the bucket is empty and no token has refilled since; null when only Redis can tell.
   */
  Admission fromSlice(UUID keyId, int requests, RateUnit unit) {
    Slice slice = slices.getIfPresent(keyId);
    if (slice == null || slice.requests != requests || slice.unit != unit) {
      return null;
    }
    return local(slice);
  }

  /** Whether {@link #fromSlice} would decide now; takes nothing. */
  boolean answersFromSlice(UUID keyId, int requests, RateUnit unit) {
    Slice slice = slices.getIfPresent(keyId);
    return slice != null
        && slice.requests == requests
        && slice.unit == unit
        && (slice.tokens.get() > 0
            || (slice.refusedOnce && slice.refusedUntil - clock.currentTimeNanos() > 0));
  }

  /**
   * Decides, taking the next slice from Redis when this node's is used up. One thread per key takes
   * it; the others wait for it and then take from it.
   *
   * @throws RuntimeException when Redis does not answer
   */
  Admission take(UUID keyId, int requests, RateUnit unit) {
    Slice slice = slices.getIfPresent(keyId);
    if (slice == null || slice.requests != requests || slice.unit != unit) {
      Slice fresh = new Slice(requests, unit);
      slice =
          slices
              .asMap()
              .compute(
                  keyId,
                  (id, old) ->
                      old != null && old.requests == requests && old.unit == unit ? old : fresh);
    }
    Admission decided = local(slice);
    if (decided != null) {
      return decided;
    }
    synchronized (slice) {
      decided = local(slice);
      if (decided != null) {
        return decided;
      }
      Reservation got = bank.reserve(keyId, requests, unit, sliceSize(requests));
      long now = clock.currentTimeNanos();
      slice.remainingInRedis = got.remaining();
      if (got.granted() == 0) {
        slice.refusedUntil = now + Math.max(1, got.nanosToWait());
        slice.refusedOnce = true;
        return refusal(requests, unit, got.nanosToWait());
      }
      slice.takenAt = now;
      slice.tokens.addAndGet(got.granted() - 1); // one is this request's
      return admitted(slice, slice.tokens.get());
    }
  }

  /**
   * Gives back what slices taken more than {@link #LIFETIME} ago still hold; for a background
   * thread, as it calls Redis. A slice whose tokens cannot be given back loses them (Redis down).
   */
  void giveBackOld() {
    long now = clock.currentTimeNanos();
    slices
        .asMap()
        .forEach(
            (keyId, slice) -> {
              if (slice.tokens.get() > 0 && now - slice.takenAt >= lifetimeNanos) {
                long unused = slice.tokens.getAndSet(0);
                if (unused > 0) {
                  bank.giveBack(keyId, slice.requests, slice.unit, unused);
                }
              }
            });
  }

  private Admission local(Slice slice) {
    AtomicLong tokens = slice.tokens;
    for (long held = tokens.get(); held > 0; held = tokens.get()) {
      if (tokens.compareAndSet(held, held - 1)) {
        return admitted(slice, held - 1);
      }
    }
    if (slice.refusedOnce) {
      long wait = slice.refusedUntil - clock.currentTimeNanos();
      if (wait > 0) {
        return refusal(slice.requests, slice.unit, wait);
      }
    }
    return null;
  }

  /** Remaining is what Redis had left at the last reservation plus what this slice holds. */
  private static Admission admitted(Slice slice, long held) {
    int requests = slice.requests;
    long remaining = Math.min(requests, slice.remainingInRedis + held);
    long nanosPerToken = slice.unit.length().toNanos() / requests;
    return new Admission(
        true, null, requests, remaining, seconds((requests - remaining) * nanosPerToken), 0);
  }

  private static Admission refusal(int requests, RateUnit unit, long nanosToWait) {
    long nanosPerToken = unit.length().toNanos() / requests;
    return new Admission(
        false,
        Admission.RATE_LIMITED,
        requests,
        0,
        seconds(requests * nanosPerToken),
        Math.max(1, seconds(nanosToWait)));
  }

  private static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
