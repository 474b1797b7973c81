package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis (Debian's redis-server) on a given loopback port, without persistence, and a client
 * for the test to look inside it. A test may {@link #kill} it, as a crash would, and {@link #start}
 * it again (empty).
 */
public final class RedisServer implements AutoCloseable {

  private static final String BINARY = "/usr/bin/redis-server";

  private final int port;
  private final Path dir;
  private Process process;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  public RedisServer(int port) throws IOException {
    if (!new File(BINARY).canExecute()) {
      fail(
          "This test needs Redis: "
              + BINARY
              + " is missing. Install it: apt-get install redis-server");
    }
    this.port = port;
    this.dir = Files.createTempDirectory("keyport-it-redis-");
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts Redis and waits until it accepts connections. */
  public synchronized RedisServer start() throws IOException, InterruptedException {
    process =
        new ProcessBuilder(
                List.of(
                    BINARY,
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        break;
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return this;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts Redis again if a test killed it and did not bring it back (it failed half-way). */
  public synchronized void ensureRunning() throws IOException, InterruptedException {
    if (!isRunning()) {
      start();
    }
  }

  /** Kills Redis at once, as a crash would. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** Commands on this Redis, reconnecting after a restart. */
  public synchronized RedisCommands<String, String> commands() {
    if (client == null) {
      client = RedisClient.create(url());
    }
    if (connection == null || !connection.isOpen()) {
      connection = client.connect();
    }
    return connection.sync();
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
    if (client != null) {
      client.shutdown();
      client = null;
    }
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
