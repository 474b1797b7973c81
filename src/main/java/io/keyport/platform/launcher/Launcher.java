package io.keyport.platform.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs Keyport: the embedded default when no {@code KEYPORT_DB_URL} is set (a real PostgreSQL under
 * the data folder, a generated HMAC secret, the demo data), else against the configured database.
 * Payara Micro runs as a child process with the WAR at the root context; stopping the launcher
 * stops both.
 *
 * <p>A node is on its own ({@code --nocluster}) unless {@code KEYPORT_CLUSTER} names how to find
 * the other nodes; then Payara Micro's Hazelcast data grid joins them and keeps the portal's
 * sessions, so a node that dies signs nobody out (see {@link #clusterOptions}).
 *
 * <p>Arguments: the Payara Micro jar, the WAR, the folder of Payara command files.
 */
public final class Launcher {

  private static final String SECRET_FILE = "hmac-secret";
  private static final List<String> DISCOVERY_MODES =
      List.of("tcpip", "dns", "kubernetes", "multicast", "domain");

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Launcher <payara-micro.jar> <keyport.war> <payara-config-dir>");
      System.exit(2);
    }
    Map<String, String> env = System.getenv();
    int port = Integer.parseInt(env.getOrDefault("KEYPORT_HTTP_PORT", "8080"));
    List<String> cluster;
    try {
      cluster = clusterOptions(env);
    } catch (IllegalArgumentException e) {
      System.err.println("[keyport] " + e.getMessage());
      System.exit(2);
      return;
    }
    Path dataDir = Path.of(env.getOrDefault("KEYPORT_DATA_DIR", "keyport-data")).toAbsolutePath();
    Files.createDirectories(dataDir);

    ProcessBuilder payara = new ProcessBuilder().inheritIO();
    Map<String, String> childEnv = payara.environment();
    EmbeddedPostgres database = null;
    if (isBlank(env.get("KEYPORT_DB_URL"))) {
      database = EmbeddedDatabase.start(dataDir.resolve("postgres"));
      childEnv.put("KEYPORT_DB_URL", database.getJdbcUrl("postgres", "postgres"));
      childEnv.put("KEYPORT_DB_USER", "postgres");
      childEnv.put("KEYPORT_DB_PASSWORD", "postgres");
      childEnv.putIfAbsent("KEYPORT_DEMO_SEED", "true");
      // The trial is served on plain http://localhost, where a Secure cookie would never return.
      childEnv.putIfAbsent("KEYPORT_SESSION_SECURE_COOKIE", "false");
      if (isBlank(env.get("KEYPORT_KEYS_HMAC_SECRET"))) {
        childEnv.put("KEYPORT_KEYS_HMAC_SECRET", secret(dataDir.resolve(SECRET_FILE)));
      }
      // The trial runs on this machine, so the provider may send people back to localhost; any
      // other deployment must name its public address (OidcSettings refuses to start without).
      if (isBlank(env.get("KEYPORT_OIDC_REDIRECT_URI"))) {
        childEnv.put("KEYPORT_OIDC_REDIRECT_URI", "http://localhost:" + port + "/oidc/callback");
      }
      log(
          "embedded PostgreSQL under "
              + dataDir.resolve("postgres")
              + " at "
              + database.getJdbcUrl("postgres", "postgres"));
    } else {
      log("PostgreSQL at " + env.get("KEYPORT_DB_URL"));
    }

    Path rootDir = Files.createTempDirectory("keyport-payara-");
    Path config = Path.of(args[2]).toAbsolutePath();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(env.getOrDefault("KEYPORT_JAVA_OPTS", "-Xmx1g").split("\\s+")));
    command.addAll(
        List.of(
            "-jar",
            args[0],
            "--deploy",
            args[1],
            "--contextroot",
            "/",
            "--port",
            Integer.toString(port),
            "--rootdir",
            rootDir.toString(),
            "--prebootcommandfile",
            config.resolve("pre-boot-commands.asadmin").toString(),
            "--postbootcommandfile",
            config.resolve("post-boot-commands.asadmin").toString()));
    command.addAll(cluster);
    Process server = payara.command(command).start();
    EmbeddedPostgres started = database;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.destroy();
                  try {
                    server.waitFor();
                    if (started != null) {
                      started.close();
                    }
                  } catch (InterruptedException | IOException e) {
                    log("stopping: " + e.getMessage());
                  }
                  deleteQuietly(rootDir);
                }));
    log("starting Payara Micro: http://localhost:" + port + "/");
    System.exit(server.waitFor());
  }

  /**
   * Payara Micro's clustering options from the environment:
   *
   * <ul>
   *   <li>{@code KEYPORT_CLUSTER} unset or {@code none}: {@code --nocluster}, a node on its own;
   *   <li>else Payara Micro's discovery, as {@code --clustermode} takes it: {@code
   *       tcpip:10.0.0.11:6900,10.0.0.12:6900}, {@code dns:keyport.internal:6900}, {@code
   *       kubernetes[:namespace,service]}, {@code multicast}, {@code domain:host:port};
   *   <li>{@code KEYPORT_CLUSTER_NAME} (default {@code keyport}): only nodes of one name join;
   *   <li>{@code KEYPORT_CLUSTER_PORT}: the data grid's first port ({@code --startport}; Payara
   *       Micro's default is 6900, counting up while taken);
   *   <li>{@code KEYPORT_CLUSTER_INTERFACES}: the addresses the data grid may bind to ({@code
   *       --interfaces}), for hosts with several networks;
   *   <li>{@code KEYPORT_CLUSTER_HOST_AWARE} (default {@code true}): keep each session's backup
   *       copy on another host. Nodes sharing one address (several on one machine) then have no
   *       backups at all, so a node that dies takes its share of the sessions along; {@code false}
   *       ({@code --nohostaware}) backs up on any other node.
   * </ul>
   *
   * A cluster shares its sessions and its database, so it needs {@code KEYPORT_DB_URL}: nodes of
   * the embedded default would each have a database of their own.
   */
  static List<String> clusterOptions(Map<String, String> env) {
    String discovery = env.getOrDefault("KEYPORT_CLUSTER", "").strip();
    if (discovery.isEmpty() || discovery.equals("none")) {
      return List.of("--nocluster");
    }
    String mode = discovery.split(":", 2)[0];
    if (!DISCOVERY_MODES.contains(mode)) {
      throw new IllegalArgumentException(
          "KEYPORT_CLUSTER="
              + discovery
              + " is not a discovery Payara Micro knows: use none, or one of "
              + String.join(", ", DISCOVERY_MODES)
              + ", as in tcpip:10.0.0.11:6900,10.0.0.12:6900");
    }
    if (isBlank(env.get("KEYPORT_DB_URL"))) {
      throw new IllegalArgumentException(
          "KEYPORT_CLUSTER needs a database every node shares: set KEYPORT_DB_URL (the embedded"
              + " PostgreSQL belongs to one node)");
    }
    List<String> options = new ArrayList<>(List.of("--clustermode", discovery));
    options.addAll(List.of("--clustername", env.getOrDefault("KEYPORT_CLUSTER_NAME", "keyport")));
    if (!isBlank(env.get("KEYPORT_CLUSTER_PORT"))) {
      options.addAll(List.of("--startport", port("KEYPORT_CLUSTER_PORT", env)));
    }
    if (!isBlank(env.get("KEYPORT_CLUSTER_INTERFACES"))) {
      options.addAll(List.of("--interfaces", env.get("KEYPORT_CLUSTER_INTERFACES").strip()));
    }
    String hostAware = env.getOrDefault("KEYPORT_CLUSTER_HOST_AWARE", "true").strip();
    if (hostAware.equals("false")) {
      options.add("--nohostaware");
    } else if (!hostAware.equals("true")) {
      throw new IllegalArgumentException(
          "KEYPORT_CLUSTER_HOST_AWARE=" + hostAware + " is neither true nor false");
    }
    return List.copyOf(options);
  }

  private static String port(String name, Map<String, String> env) {
    String value = env.get(name).strip();
    try {
      int port = Integer.parseInt(value);
      if (port > 0 && port < 65536) {
        return Integer.toString(port);
      }
    } catch (NumberFormatException notANumber) {
      // the message below says what is wanted
    }
    throw new IllegalArgumentException(name + "=" + value + " is not a port: give 1 to 65535");
  }

  /** The HMAC secret kept in the data folder, readable by its owner only; made on first start. */
  static String secret(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    byte[] random = new byte[48];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, secret);
    return secret;
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  private static void log(String message) {
    System.err.println("[keyport] " + message);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log("could not remove " + dir + ": " + e.getMessage());
    }
  }
}
