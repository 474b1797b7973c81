package io.keyport.platform;

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
 */
@ApplicationScoped
public class ChangeFeed {

  private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
  private static final int POLL_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  @Resource private ManagedThreadFactory threads;
  @Inject private Event<DataChanged> changes;

  @Inject
  @ConfigProperty(name = "keyport.db.url")
  String url;

  @Inject
  @ConfigProperty(name = "keyport.db.user")
  String user;

  @Inject
  @ConfigProperty(name = "keyport.db.password")
  String password;

  private volatile boolean running;
  private volatile Connection connection;
  private Thread listener;

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    listener = threads.newThread(this::listen);
    listener.setName("keyport-change-feed");
    listener.setDaemon(true);
    listener.start();
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
        connection = source.getConnection();
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN keyport_changes");
        }
        if (outage) {
          LOG.info("Change feed reconnected; caches start afresh");
        }
        outage = false;
        backoff = 100;
        changes.fire(DataChanged.ALL);
        PGConnection postgres = connection.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notifications = postgres.getNotifications(POLL_MILLIS);
          if (notifications != null) {
            for (PGNotification notification : notifications) {
              changes.fire(DataChanged.parse(notification.getParameter()));
            }
          }
        }
      } catch (SQLException e) {
        if (!running) {
          return;
        }
        if (!outage) {
          LOG.log(
              Level.WARNING,
              "Change feed lost its database connection ({0}); reconnecting. Until then cached"
                  + " keys may be stale on this node.",
              e.getMessage());
          outage = true;
        }
        // Cached keys keep answering meanwhile (the check must not fail closed on keys it knows);
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
