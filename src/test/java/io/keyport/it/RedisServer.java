package io.keyport.it;

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
 * A real Redis (Debian's redis-server) for a test, on a given loopback port, without persistence.
 */
public final class RedisServer implements AutoCloseable {

  private static final String BINARY = "/usr/bin/redis-server";

  private final int port;
  private final Path dir;
  private Process process;

  public RedisServer(int port) throws IOException {
    if (!new File(BINARY).canExecute()) {
      throw new IllegalStateException(
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
  public RedisServer start() throws IOException, InterruptedException {
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
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(deadline)) {
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

  /** Kills Redis at once, as a crash would. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
