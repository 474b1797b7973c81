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
 * <p>Arguments: the Payara Micro jar, the WAR, the folder of Payara command files.
 */
public final class Launcher {

  private static final String SECRET_FILE = "hmac-secret";

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Launcher <payara-micro.jar> <keyport.war> <payara-config-dir>");
      System.exit(2);
    }
    Map<String, String> env = System.getenv();
    int port = Integer.parseInt(env.getOrDefault("KEYPORT_HTTP_PORT", "8080"));
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
      if (isBlank(env.get("KEYPORT_KEYS_HMAC_SECRET"))) {
        childEnv.put("KEYPORT_KEYS_HMAC_SECRET", secret(dataDir.resolve(SECRET_FILE)));
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
            "--nocluster",
            "--prebootcommandfile",
            config.resolve("pre-boot-commands.asadmin").toString(),
            "--postbootcommandfile",
            config.resolve("post-boot-commands.asadmin").toString()));
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
