package io.keyport.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay between Keyport and the test PostgreSQL that a test can cut and restore, to see what
 * Keyport does while its database is unreachable. Cutting closes every relayed connection and stops
 * listening, so new connections are refused as by a dead server.
 *
 * <p>Freezing the change feed is the quieter fault of a partition: the relay recognises Keyport's
 * change-feed connections by the application name in their start-up message and stops forwarding
 * their bytes, both ways, without closing anything; new feed connections hang at sign-in. The
 * connection pool's connections flow as usual, so the database stays reachable for queries.
 */
public final class DatabaseLink {

  private final int port;
  private final int target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private final Object thaw = new Object();
  private volatile boolean feedFrozen;

  private static final byte[] FEED_NAME = "keyport-change-feed".getBytes(StandardCharsets.US_ASCII);
  private static final int SNIFF_LIMIT = 4096;

  /** The two directions of one relayed connection, and whether it is the change feed's. */
  private static final class Relay {
    volatile boolean feed;
  }

  DatabaseLink(int port, int target) {
    this.port = port;
    this.target = target;
  }

  synchronized void open() throws IOException {
    if (server != null) {
      return;
    }
    ServerSocket listening = new ServerSocket();
    listening.setReuseAddress(true);
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = listening;
    Thread acceptor = new Thread(() -> accept(listening), "db-link-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  synchronized void cut() throws IOException {
    ServerSocket listening = server;
    server = null;
    if (listening != null) {
      listening.close();
    }
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }

  /** Holds every byte of the change feed's connections, open ones and new ones, until thawed. */
  void freezeFeed() {
    feedFrozen = true;
  }

  /** Lets the change feed's bytes flow again, the held ones first. */
  void thawFeed() {
    synchronized (thaw) {
      feedFrozen = false;
      thaw.notifyAll();
    }
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket database = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(database);
        Relay relay = new Relay();
        pump(client, database, relay, true);
        pump(database, client, relay, false);
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, Relay relay, boolean fromKeyport) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              java.io.ByteArrayOutputStream opening = new ByteArrayOutputStream();
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  if (fromKeyport && !relay.feed && opening.size() < SNIFF_LIMIT) {
                    opening.write(buffer, 0, read);
                    relay.feed = contains(opening.toByteArray(), FEED_NAME);
                  }
                  if (relay.feed) {
                    awaitThaw();
                  }
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException ended) {
                // one side closed; close the other below
              } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "db-link-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitThaw() throws InterruptedException {
    synchronized (thaw) {
      while (feedFrozen) {
        thaw.wait();
      }
    }
  }

  private static boolean contains(byte[] data, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private void closeQuietly(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
