package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.keyport.testsupport.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx or Caddy, run as a child process on a free loopback port with one of the files in
 * {@code examples/gateways/}, its prefix, logs and state in a temporary folder of its own.
 */
final class GatewayProcess implements AutoCloseable {

  private static final Path EXAMPLES = Path.of("examples", "gateways");
  private static final long START_TIMEOUT_MILLIS = 30_000;

  private final String name;
  private final Process process;
  private final Path dir;
  private final Path log;
  private final int port;

  private GatewayProcess(String name, Process process, Path dir, Path log, int port) {
    this.name = name;
    this.process = process;
    this.dir = dir;
    this.log = log;
    this.port = port;
  }

  /**
   * nginx with {@code nginx/keyport.conf}, its placeholders filled in, included in a minimal main
   * configuration as an operator would include it in theirs.
   */
  static GatewayProcess nginx(String name, String check, String upstream) throws IOException {
    return nginx(
        name,
        EXAMPLES.resolve("nginx/keyport.conf"),
        Map.of("KEYPORT_CHECK", check, "UPSTREAM", upstream),
        "GATEWAY_LISTEN");
  }

  /**
   * nginx with one of the example files, {@code values} replacing its placeholders and {@code
   * listen} (the placeholder of what it listens on) a free loopback port. Its access log names the
   * upstream server that answered each request ({@link #accessLog}).
   */
  static GatewayProcess nginx(String name, Path example, Map<String, String> values, String listen)
      throws IOException {
    Path nginx = binary("nginx", "nginx");
    Path dir = Files.createTempDirectory("keyport-it-nginx-");
    int port = Ports.free();
    String site = Files.readString(example);
    for (Map.Entry<String, String> value : values.entrySet()) {
      site = site.replace(value.getKey(), value.getValue());
    }
    site = site.replace(listen, "127.0.0.1:" + port);
    Files.writeString(dir.resolve("keyport.conf"), site);
    String d = dir.toAbsolutePath().toString();
    StringBuilder main = new StringBuilder();
    if ("root".equals(System.getProperty("user.name"))) {
      // Workers would otherwise run as nobody, who cannot enter the private temporary folder.
      main.append("user root;\n");
    }
    main.append("pid ")
        .append(d)
        .append("/nginx.pid;\n")
        .append("error_log ")
        .append(d)
        .append("/error.log notice;\n")
        .append("events {\n  worker_connections 1024;\n}\n")
        .append("http {\n")
        .append("  log_format keyport '$request_method $request_uri $status")
        .append(" upstream=$upstream_addr';\n")
        .append("  access_log ")
        .append(d)
        .append("/access.log keyport;\n");
    for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      main.append("  ").append(temp).append("_temp_path ").append(d).append('/').append(temp);
      main.append(";\n");
    }
    main.append("  include ").append(d).append("/keyport.conf;\n}\n");
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, main);
    Path log = dir.resolve("nginx.out");
    ProcessBuilder builder =
        new ProcessBuilder(
            nginx.toString(),
            "-p",
            d,
            "-c",
            conf.toString(),
            "-e",
            d + "/error.log",
            "-g",
            "daemon off;");
    return started(name, builder, dir, log, port, dir.resolve("error.log"));
  }

  /**
   * Caddy with {@code caddy/Caddyfile} as it is, imported by a Caddyfile that only turns the admin
   * endpoint off; the addresses come from the environment, as the example documents.
   */
  static GatewayProcess caddy(String name, String check, String upstream) throws IOException {
    Path caddy = binary("caddy", "caddy");
    Path dir = Files.createTempDirectory("keyport-it-caddy-");
    int port = Ports.free();
    Path example = EXAMPLES.resolve("caddy/Caddyfile").toAbsolutePath();
    Path caddyfile = dir.resolve("Caddyfile");
    Files.writeString(caddyfile, "{\n\tadmin off\n}\n\nimport " + example + "\n");
    Path log = dir.resolve("caddy.out");
    ProcessBuilder builder =
        new ProcessBuilder(
            caddy.toString(), "run", "--config", caddyfile.toString(), "--adapter", "caddyfile");
    Map<String, String> env = builder.environment();
    env.put("KEYPORT_CHECK", check);
    env.put("UPSTREAM", upstream);
    env.put("KEYPORT_GATEWAY_PORT", Integer.toString(port));
    env.put("KEYPORT_GATEWAY_BIND", "127.0.0.1");
    env.put("HOME", dir.toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    env.put("XDG_DATA_HOME", dir.resolve("data").toString());
    return started(name, builder, dir, log, port, log);
  }

  String name() {
    return name;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  int port() {
    return port;
  }

  /**
   * nginx's access log so far, one line per request: {@code METHOD URI STATUS upstream=ADDRESSES},
   * the addresses of every upstream server tried, the one that answered last.
   */
  List<String> accessLog() {
    try {
      Path file = dir.resolve("access.log");
      return Files.isRegularFile(file)
          ? Files.readAllLines(file, StandardCharsets.ISO_8859_1)
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The end of the gateway's own log, for failure messages. */
  String logTail() {
    return tail(log) + tail(dir.resolve("error.log"));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(dir);
  }

  @Override
  public String toString() {
    return name;
  }

  private static GatewayProcess started(
      String name, ProcessBuilder builder, Path dir, Path log, int port, Path diagnostics)
      throws IOException {
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    GatewayProcess gateway = new GatewayProcess(name, process, dir, log, port);
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        String why = tail(log) + tail(diagnostics);
        gateway.close();
        fail(name + " exited with status " + process.exitValue() + " on start:\n" + why);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return gateway;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    String why = tail(log) + tail(diagnostics);
    gateway.close();
    return fail(name + " did not listen on 127.0.0.1:" + port + " within 30 s:\n" + why);
  }

  /** The installed binary, or a failed test that says which Debian package provides it. */
  static Path binary(String command, String debianPackage) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"));
    for (String candidate : dirs) {
      if (candidate.isEmpty()) {
        continue;
      }
      Path binary = Path.of(candidate, command);
      if (Files.isExecutable(binary)) {
        return binary;
      }
    }
    return fail(
        "The gateway tests need "
            + command
            + ", which is not installed: install the Debian package '"
            + debianPackage
            + "' (apt-get install "
            + debianPackage
            + "; .ci/test does this)");
  }

  private static String tail(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        return "";
      }
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      return "--- " + file.getFileName() + "\n" + text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e.getMessage() + ")";
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(GatewayProcess::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a file a worker still writes; the folder is in the temporary directory anyway
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
