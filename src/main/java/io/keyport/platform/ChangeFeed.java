package io.keyport.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Listens on PostgreSQL channel {@code keyport_changes} on a connection of its own and fires a
 * {@link DataChanged} event for every committed change, on every node alike. After (re)connecting
 * it first fires {@link DataChanged#ALL}, so a node that missed notifications while disconnected
 * drops what it cached instead of trusting it any longer. A lost connection is logged once per
 * outage.
 *
 * <p>A connection can also go silent without breaking (a partition, a stalled proxy): the feed
 * would then hear nothing and report nothing. So it asks PostgreSQL {@code select 1} on the
 * listening connection every second and records each answer in the {@link Heartbeat}; caches read
 * the heartbeat to know whether they may still trust what they hold. A query that gets no answer
 * within {@link #SOCKET_TIMEOUT_SECONDS} breaks the connection, and the feed reconnects; when it is
 * heard again after being stale, it fires {@link DataChanged#ALL} before it counts as fresh.
 */
@ApplicationScoped
public class ChangeFeed {

  private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
  private static final long MAX_BACKOFF_MILLIS = 2_000;
  private static final int SOCKET_TIMEOUT_SECONDS = 10;
  private static final int CONNECT_TIMEOUT_SECONDS = 5;

  // Stale until the first answer: nothing was heard before this node started.
  private final Heartbeat heartbeat =
      new Heartbeat(System.nanoTime() - 2 * Heartbeat.STALE_AFTER_NANOS);

  @Resource private ManagedThreadFactory threads;
  @Inject private Event<DataChanged> changes;
  @Inject private Metrics metrics;

  @Inject
  @ConfigProperty(name = "keyport.db.url")
  String url;

  @Inject
  @ConfigProperty(name = "keyport.db.user")
  String user;

  @Inject
  @ConfigProperty(name = "keyport.db.password")
  String password;

  private Counter reconnects;
  private volatile boolean listening;
  private volatile boolean running;
  private volatile Connection connection;
  private Thread listener;

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    MeterRegistry registry = metrics.registry();
    reconnects =
        Counter.builder("keyport.change.feed.reconnects")
            .description("Times the change feed lost its connection to PostgreSQL")
            .register(registry);
    Gauge.builder("keyport.change.feed.silence", heartbeat, ChangeFeed::silenceSeconds)
        .description("Seconds since the change feed last heard PostgreSQL (its lag)")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("keyport.change.feed.listening", this, feed -> feed.listens() ? 1 : 0)
        .description("1 while the change feed listens and has been heard within 5 s")
        .register(registry);
    listener = threads.newThread(this::listen);
    listener.setName("keyport-change-feed");
    listener.setDaemon(true);
    listener.start();
  }

  /** Whether the feed is connected, listening, and was heard within the staleness limit. */
  public boolean listens() {
    return listening && heartbeat.isFresh(System.nanoTime());
  }

  private static double silenceSeconds(Heartbeat heartbeat) {
    return (System.nanoTime() - heartbeat.heardNanos()) / 1e9;
  }

  /** When this node last heard the change feed; the object itself, for reading on the hot path. */
  public Heartbeat heartbeat() {
    return heartbeat;
  }

  @PreDestroy
  synchronized void stop() {
    running = false;
    if (listener != null) {
      listener.interrupt();
    }
    closeQuietly();
  }

  private void listen() {
    long backoff = 100;
    boolean outage = false;
    while (running) {
      try {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(url);
        source.setUser(user);
        source.setPassword(password);
        source.setApplicationName("keyport-change-feed");
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setLoginTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setSocketTimeout(SOCKET_TIMEOUT_SECONDS);
        connection = source.getConnection();
        long asked = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN keyport_changes");
        }
        if (outage) {
          LOG.info("Change feed reconnected; caches start afresh");
        }
        outage = false;
        backoff = 100;
        changes.fire(DataChanged.ALL);
        heartbeat.heard(asked);
        listening = true;
        PGConnection postgres = connection.unwrap(PGConnection.class);
        while (running) {
          awaitNotifications(postgres, asked + Heartbeat.INTERVAL_NANOS);
          asked = System.nanoTime();
          try (Statement statement = connection.createStatement()) {
            statement.execute("select 1");
          }
          deliver(postgres.getNotifications());
          // Judged on the answer's arrival: a slow answer is a silence too.
          if (!heartbeat.isFresh(System.nanoTime())) {
            LOG.info("Change feed heard again after a silence; caches start afresh");
            changes.fire(DataChanged.ALL);
          }
          heartbeat.heard(asked);
        }
      } catch (SQLException e) {
        listening = false;
        if (!running) {
          return;
        }
        reconnects.increment();
        if (!outage) {
          LOG.log(
              Level.WARNING,
              "Change feed lost its database connection ({0}); reconnecting. Until then cached"
                  + " keys may be stale on this node.",
              e.getMessage());
          outage = true;
        }
        // Cached keys keep answering meanwhile, within keyport.check.offline-ttl (see KeyCache);
        // the ALL fired on reconnecting drops whatever changed in between.
      } finally {
        closeQuietly();
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
  }

  /** Passes on what arrives until {@code untilNanos}. */
  private void awaitNotifications(PGConnection postgres, long untilNanos) throws SQLException {
    long left;
    while ((left = untilNanos - System.nanoTime()) > 0) {
      deliver(postgres.getNotifications((int) Math.max(1, left / 1_000_000)));
    }
  }

  private void deliver(PGNotification[] notifications) {
    if (notifications != null) {
      for (PGNotification notification : notifications) {
        changes.fire(DataChanged.parse(notification.getParameter()));
      }
    }
  }

  private void closeQuietly() {
    Connection current = connection;
    connection = null;
    if (current != null) {
      try {
        current.close();
      } catch (SQLException ignored) {
        // closing a broken connection; nothing more to do
      }
    }
  }
}
