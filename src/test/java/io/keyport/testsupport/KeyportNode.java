package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Keyport node as an operator runs one: the launcher ({@code mvn -Prun package}'s main class)
 * with Keyport's environment, starting Payara Micro with the WAR Maven built as its child (at the
 * root context, with payara/'s pre- and post-boot command files and a fresh --rootdir). The
 * launcher's and Payara's output go to a log file of the node's own, kept in target/keyport-nodes
 * after the node stops. The one way the tests start Keyport: {@link KeyportServers} keeps shared
 * nodes with it, and the tests that restart, kill or cluster nodes start their own.
 */
public final class KeyportNode implements AutoCloseable {

  private static final Path PAYARA = Path.of("target", "payara-micro.jar");
  private static final Path WAR = Path.of("target", "keyport.war");
  private static final Path COMMANDS = Path.of("payara");
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private static final Path KEPT_LOGS = Path.of("target", "keyport-nodes");
  private static final AtomicInteger STARTS = new AtomicInteger();

  /**
   * What every test node's JVM gets before its own options: the client compiler only. A start then
   * costs about half the CPU (measured: 29–33 s instead of 55–60 s of CPU for one start), which is
   * most of a run on two cores; no test measures speed (bench/ does, with the production JVM).
   */
  static final String TEST_JVM = "-XX:TieredStopAtLevel=1";

  private final String name;
  private final Process launcher;
  private final int port;
  private final int checkPort;
  private final int grpcPort;
  private final Path dir;
  private final Path log;
  private final int start;
  private final long launched = System.nanoTime();

  private KeyportNode(
      String name,
      Process launcher,
      int port,
      int checkPort,
      int grpcPort,
      Path dir,
      Path log,
      int start) {
    this.name = name;
    this.launcher = launcher;
    this.port = port;
    this.checkPort = checkPort;
    this.grpcPort = grpcPort;
    this.dir = dir;
    this.log = log;
    this.start = start;
  }

  /**
   * Starts the launcher on a free HTTP port with {@code env} on top of this JVM's environment (the
   * failsafe one: database, HMAC secret, demo data), without waiting for Payara Micro ({@link
   * #awaitReady}). The node's check listens on a free port of its own unless {@code env} names one
   * ({@code KEYPORT_CHECK_PORT}): every node would claim the failsafe one. JVM options and system
   * properties go in {@code KEYPORT_JAVA_OPTS} (default {@code -Xmx512m}), after {@link #TEST_JVM}.
   */
  public static KeyportNode launch(String name, Map<String, String> env) throws IOException {
    for (Path part : List.of(PAYARA, WAR)) {
      if (!Files.isRegularFile(part)) {
        fail(part + " is missing: run the integration tests through 'mvn verify'");
      }
    }
    int port = Ports.free();
    int checkPort =
        env.containsKey("KEYPORT_CHECK_PORT")
            ? Integer.parseInt(env.get("KEYPORT_CHECK_PORT"))
            : Ports.free();
    Path dir = Files.createTempDirectory("keyport-it-" + name + "-");
    Path log = dir.resolve("node.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx64m",
            "-cp",
            System.getProperty("java.class.path"),
            "io.keyport.platform.launcher.Launcher",
            PAYARA.toAbsolutePath().toString(),
            WAR.toAbsolutePath().toString(),
            COMMANDS.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> childEnv = builder.environment();
    childEnv.putAll(env);
    childEnv.put("KEYPORT_CHECK_PORT", Integer.toString(checkPort));
    // Every node also serves Envoy's gRPC ext_authz, on a port of its own.
    int grpcPort = Ports.free();
    childEnv.put("KEYPORT_CHECK_GRPC_PORT", Integer.toString(grpcPort));
    childEnv.put("KEYPORT_HTTP_PORT", Integer.toString(port));
    childEnv.put("KEYPORT_DATA_DIR", dir.resolve("data").toString());
    childEnv.put(
        "KEYPORT_JAVA_OPTS", TEST_JVM + " " + env.getOrDefault("KEYPORT_JAVA_OPTS", "-Xmx512m"));
    // Outside the embedded trial a provider's callback must be named; only OIDC nodes read it.
    childEnv.putIfAbsent(
        "KEYPORT_OIDC_REDIRECT_URI", "http://127.0.0.1:" + port + "/oidc/callback");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return new KeyportNode(
        name, builder.start(), port, checkPort, grpcPort, dir, log, STARTS.incrementAndGet());
  }

  /** Waits until the portal answers {@code /ping}; a node that stops or never answers fails. */
  public void awaitReady(Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      if (!launcher.isAlive()) {
        fail(name + " stopped while starting (exit " + launcher.exitValue() + "):\n" + logTail());
      }
      try {
        HttpResponse<Void> ping =
            CLIENT.send(
                HttpRequest.newBuilder(uri("/ping")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (ping.statusCode() == 204) {
          // One line per Payara Micro start in the test output, to count them and see their cost.
          System.out.printf(
              "[keyport-node] %s (start %d of the run) ready after %d s%n",
              name, start, (System.nanoTime() - launched) / 1_000_000_000);
          return;
        }
      } catch (IOException notYet) {
        // still booting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(500);
    }
    fail(name + " did not answer /ping within " + patience.toSeconds() + " s:\n" + logTail());
  }

  /** Waits until the node's log shows a line {@code seen} accepts. */
  public void awaitLog(Predicate<String> seen, String what, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      if (log().lines().anyMatch(seen)) {
        return;
      }
      sleep(500);
    }
    fail(name + " never logged " + what + " within " + patience.toSeconds() + " s:\n" + logTail());
  }

  /**
   * The node dies: Payara Micro gets SIGKILL, so it says goodbye to nobody (its cluster, its
   * database, the load balancer). The launcher, left without its child, exits too.
   */
  public void kill() {
    List<ProcessHandle> payara = launcher.toHandle().descendants().toList();
    if (payara.isEmpty()) {
      fail(name + " has no Payara Micro process to kill:\n" + logTail());
    }
    payara.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : payara) {
      await(process, name + "'s Payara Micro did not die of SIGKILL");
    }
    await(launcher.toHandle(), name + "'s launcher did not exit after Payara Micro died");
  }

  public boolean isAlive() {
    return launcher.isAlive();
  }

  public String name() {
    return name;
  }

  /** The port of the gateway check ({@code KEYPORT_CHECK_PORT}). */
  public int checkPort() {
    return checkPort;
  }

  /** The port of the gRPC check (Envoy's ext_authz, SPEC §9). */
  public int grpcPort() {
    return grpcPort;
  }

  /** The portal's HTTP port. */
  public int port() {
    return port;
  }

  /** host:port of the portal, as nginx's upstream names it. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public URI uri(String path) {
    return URI.create("http://" + address() + path);
  }

  public URL url() {
    try {
      return uri("/").toURL();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything the launcher and Payara Micro wrote so far. */
  public String log() {
    try {
      return Files.isRegularFile(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String logTail() {
    String text = log();
    return "--- " + name + " log\n" + text.substring(Math.max(0, text.length() - 6000));
  }

  /** Stops the node as Ctrl-C does (SIGTERM to the launcher, which stops Payara Micro). */
  @Override
  public void close() {
    List<ProcessHandle> children = launcher.toHandle().descendants().toList();
    launcher.destroy();
    try {
      if (!launcher.waitFor(60, TimeUnit.SECONDS)) {
        // What a clean stop writes (usage counts, last-used times) may be lost: say so.
        System.err.println(name + " did not stop within 60 s of SIGTERM; killing it");
        launcher.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try {
      // Kept for reading after the run, beside the other test output; numbered in start order.
      Files.createDirectories(KEPT_LOGS);
      if (Files.isRegularFile(log)) {
        Files.copy(
            log,
            KEPT_LOGS.resolve(String.format("%02d-%s.log", start, name)),
            StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      System.err.println("could not keep " + name + "'s log: " + e.getMessage());
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder; the run's log said what happened
    }
  }

  @Override
  public String toString() {
    return name + " (" + address() + ")";
  }

  private static void await(ProcessHandle process, String failure) {
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      fail(failure);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
