package io.keyport.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed sign-ins counted per name (an account or a client address), with growing lockouts: after
 * {@code threshold} failures the name is locked for {@code firstDelay}; every failure after a
 * lockout has ended locks it again for twice as long, up to {@code maxDelay}. Failures that arrive
 * while the name is locked (verifications already under way) are counted but do not lengthen it, so
 * a burst of parallel guesses costs the same as one. A name forgets its failures {@code window}
 * after the last one. No thread ever sleeps here: callers answer "try again in N s" instead.
 */
final class Backoff {

  /** A lockout just imposed: how long, and how many failures led to it. */
  record Lockout(Duration retryAfter, int failures) {}

  private static final class Entry {
    int failures;
    int lockouts;
    Instant lockedUntil = Instant.MIN;
    Instant lastFailure;
  }

  private final int threshold;
  private final Duration firstDelay;
  private final Duration maxDelay;
  private final Duration window;
  private final int capacity;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  Backoff(int threshold, Duration firstDelay, Duration maxDelay, Duration window, int capacity) {
    if (threshold < 1) {
      throw new IllegalArgumentException("a throttle threshold must be at least 1");
    }
    this.threshold = threshold;
    this.firstDelay = firstDelay;
    this.maxDelay = maxDelay.compareTo(firstDelay) < 0 ? firstDelay : maxDelay;
    this.window = window;
    this.capacity = capacity;
  }

  /** How long {@code name} must wait before its next attempt; zero when it may try now. */
  Duration retryAfter(String name, Instant now) {
    Entry entry = entries.get(name);
    if (entry == null) {
      return Duration.ZERO;
    }
    synchronized (entry) {
      return now.isBefore(entry.lockedUntil)
          ? Duration.between(now, entry.lockedUntil)
          : Duration.ZERO;
    }
  }

  /** Counts a failure; answers the lockout it starts, if it starts one. */
  Optional<Lockout> fail(String name, Instant now) {
    if (entries.size() >= capacity) {
      forgetOld(now);
    }
    Entry entry = entries.computeIfAbsent(name, n -> new Entry());
    synchronized (entry) {
      if (entry.lastFailure != null && entry.lastFailure.plus(window).isBefore(now)) {
        entry.failures = 0;
        entry.lockouts = 0;
      }
      entry.failures++;
      entry.lastFailure = now;
      if (entry.failures < threshold || now.isBefore(entry.lockedUntil)) {
        return Optional.empty();
      }
      Duration delay = delay(entry.lockouts);
      entry.lockouts++;
      entry.lockedUntil = now.plus(delay);
      return Optional.of(new Lockout(delay, entry.failures));
    }
  }

  /** A successful sign-in: the name starts afresh. */
  void clear(String name) {
    entries.remove(name);
  }

  private Duration delay(int earlierLockouts) {
    Duration delay = firstDelay;
    for (int i = 0; i < earlierLockouts && delay.compareTo(maxDelay) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }

  // Bounded memory under a spray of names: drop names whose failures are forgotten anyway, and if
  // that is not enough, names that are not locked right now.
  private void forgetOld(Instant now) {
    entries
        .entrySet()
        .removeIf(
            e -> {
              synchronized (e.getValue()) {
                Instant last = e.getValue().lastFailure;
                return last != null && last.plus(window).isBefore(now);
              }
            });
    if (entries.size() >= capacity) {
      entries
          .entrySet()
          .removeIf(
              e -> {
                synchronized (e.getValue()) {
                  return !now.isBefore(e.getValue().lockedUntil);
                }
              });
    }
  }
}
