package io.keyport.check;

import io.keyport.keys.KeyChanged;
import io.keyport.keys.KeyLookup;
import io.keyport.platform.ChangeFeed;
import io.keyport.platform.DataChanged;
import io.keyport.platform.Heartbeat;
import io.keyport.platform.Metrics;
import io.keyport.platform.Unproxied;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The hashes of every key that may pass, held in a {@link KeyIndex} (eight bytes a key) and kept
 * current by the change feed, so that the check refuses an unknown well-formed key without asking
 * PostgreSQL, however many distinct ones a flood brings.
 *
 * <p>The index is read from PostgreSQL in the background once the change feed listens, again every
 * time the feed (re)connects (it may have missed notifications), and every {@code
 * keyport.check.index-refresh} to let revoked keys go. Each key notification adds its hash at once,
 * also while a new index is being read. It is trusted only while it is loaded and the feed is
 * heard: otherwise every hash is looked up as before there was an index.
 */
@ApplicationScoped
public class LiveHashes {

  private static final Logger LOG = Logger.getLogger(LiveHashes.class.getName());
  private static final Duration RETRY = Duration.ofSeconds(5);

  @Inject private KeyLookup lookup;
  @Inject private ChangeFeed feed;
  @Inject private Metrics metrics;

  @Resource(lookup = "concurrent/keyport-background")
  private ManagedScheduledExecutorService background;

  @Inject
  @ConfigProperty(name = "keyport.check.index-refresh", defaultValue = "PT10M")
  Duration refresh;

  private ScheduledExecutorService scheduler;
  private Heartbeat heartbeat;
  private LongSupplier clock;
  private Timer loads;

  // Guarded by this: the index in use (null while none is trusted), the hashes announced while a
  // new one is read, and which read is the latest.
  private volatile KeyIndex index;
  private List<String> announced;
  private long reading;

  /** An index outside the container, for tests: loads run on {@code scheduler}. */
  static LiveHashes of(
      KeyLookup lookup,
      Heartbeat heartbeat,
      LongSupplier clock,
      ScheduledExecutorService scheduler) {
    LiveHashes hashes = new LiveHashes();
    hashes.lookup = lookup;
    hashes.metrics = Metrics.standalone();
    hashes.refresh = Duration.ZERO;
    hashes.build(heartbeat, clock, scheduler);
    return hashes;
  }

  @PostConstruct
  void init() {
    if (refresh.isNegative()) {
      throw new IllegalStateException(
          "keyport.check.index-refresh must be a positive duration such as PT10M, or PT0S for"
              + " never; it is "
              + refresh);
    }
    build(feed.heartbeat(), System::nanoTime, background);
    if (!refresh.isZero()) {
      long every = refresh.toMillis();
      scheduler.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void build(Heartbeat heartbeat, LongSupplier clock, ScheduledExecutorService scheduler) {
    this.heartbeat = heartbeat;
    this.clock = clock;
    this.scheduler = scheduler;
    MeterRegistry registry = metrics.registry();
    Gauge.builder("keyport.key.index.size", this, LiveHashes::size)
        .description("Hashes in the index of live keys (0 while none is trusted)")
        .register(registry);
    Gauge.builder("keyport.key.index.bytes", this, LiveHashes::bytes)
        .description("Memory the index of live keys takes")
        .baseUnit("bytes")
        .register(registry);
    loads =
        Timer.builder("keyport.key.index.load.duration")
            .description("Time reading every live key's hash from PostgreSQL took")
            .register(registry);
  }

  @PreDestroy
  synchronized void stop() {
    reading++; // a read still running will not install what it read
  }

  /**
   * Whether the hash is certainly no key's: the index is trusted and lacks it. False whenever there
   * is doubt (no index yet, the feed silent), so the caller looks the hash up. Never blocks.
   */
  boolean surelyAbsent(String keyHash) {
    KeyIndex current = index;
    return current != null && heartbeat.isFresh(clock.getAsLong()) && !current.mayContain(keyHash);
  }

  /** Adds a hash the database has just shown to be a key's, before its notification arrives. */
  void found(String keyHash) {
    announce(keyHash);
  }

  /** Whether an index is loaded (and so trusted while the feed is heard). */
  boolean loaded() {
    return index != null;
  }

  void onKeyChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyChanged change) {
    announce(change.keyHash());
  }

  void onDataChanged(@Observes DataChanged change) {
    switch (change.kind()) {
      case KEY -> announce(change.id());
      case ALL -> reload();
      case KEY_ID, USER, CATALOG -> {
        // the hashes stay: whether their keys pass is the lookup's to say
      }
    }
  }

  private synchronized void announce(String keyHash) {
    if (keyHash == null) {
      return;
    }
    KeyIndex current = index;
    if (current != null) {
      current.add(keyHash);
    }
    if (announced != null) {
      announced.add(keyHash);
    }
  }

  /** Notifications may have been missed: stop trusting the index until a new one is read. */
  synchronized void reload() {
    index = null;
    read();
  }

  /** Reads a new index beside the one in use, so that revoked keys leave it. */
  synchronized void refresh() {
    if (announced == null) {
      read();
    }
  }

  private synchronized void read() {
    long mine = ++reading;
    announced = new ArrayList<>();
    try {
      scheduler.execute(() -> load(mine));
    } catch (RejectedExecutionException e) {
      announced = null; // shutting down
    }
  }

  private void load(long mine) {
    int expected = Math.max(size(), 1024);
    KeyIndex fresh = new KeyIndex(expected);
    long started = System.nanoTime();
    try {
      lookup.eachLiveHash(fresh::add);
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "Could not read the live keys' hashes ({0}); every unknown key is looked up in"
              + " PostgreSQL until they are read, tried again in {1} s",
          new Object[] {e.getMessage(), RETRY.toSeconds()});
      retry(mine);
      return;
    }
    long took = System.nanoTime() - started;
    synchronized (this) {
      if (mine != reading) {
        return; // a later read is under way, or the node is stopping
      }
      announced.forEach(fresh::add);
      announced = null;
      index = fresh;
    }
    loads.record(took, TimeUnit.NANOSECONDS);
    LOG.log(
        Level.INFO,
        "Index of live keys read: {0} hashes in {1} ms, {2} KiB",
        new Object[] {fresh.size(), TimeUnit.NANOSECONDS.toMillis(took), fresh.bytes() / 1024});
  }

  private void retry(long mine) {
    try {
      scheduler.schedule(
          () -> {
            synchronized (this) {
              if (mine != reading) {
                return;
              }
            }
            load(mine);
          },
          RETRY.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  private int size() {
    KeyIndex current = index;
    return current == null ? 0 : current.size();
  }

  private long bytes() {
    KeyIndex current = index;
    return current == null ? 0 : current.bytes();
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  Unproxied<LiveHashes> unproxied() {
    return new Unproxied<>(this);
  }
}
