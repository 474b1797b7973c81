package io.keyport.platform;

import java.util.concurrent.TimeUnit;

/**
 * When this node last knew that it had every change notification committed so far: the moment the
 * change feed last sent a query that PostgreSQL answered on the listening connection (PostgreSQL
 * hands a listener its pending notifications before it answers). A node that has not heard for
 * {@link #STALE_AFTER_NANOS} may have missed revocations, so its caches must not be trusted as they
 * are. One volatile field, read on the check's hot path.
 */
public final class Heartbeat {

  /** How often the change feed asks PostgreSQL whether the listening connection is alive. */
  public static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Silence after which caches fed by the change feed count as stale. */
  public static final long STALE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);

  private volatile long heardNanos;

  /** A heartbeat last heard at {@code heardNanos} ({@link System#nanoTime} scale). */
  public Heartbeat(long heardNanos) {
    this.heardNanos = heardNanos;
  }

  /** Records that every notification committed before {@code askedNanos} has been received. */
  public void heard(long askedNanos) {
    heardNanos = askedNanos;
  }

  /** When the feed was last known complete. */
  public long heardNanos() {
    return heardNanos;
  }

  /** Whether the feed was heard within {@link #STALE_AFTER_NANOS} of {@code nowNanos}. */
  public boolean isFresh(long nowNanos) {
    return nowNanos - heardNanos <= STALE_AFTER_NANOS;
  }
}
