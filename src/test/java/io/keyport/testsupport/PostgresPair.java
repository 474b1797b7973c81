package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL primary and its streaming replica (Debian's PostgreSQL binaries), each on a
 * loopback port of its own, with data folders in a temporary folder owned by the {@code postgres}
 * OS user: PostgreSQL refuses to run as root, so every server command runs as that user through
 * {@code runuser}. The replica is made with {@code pg_basebackup -R} and replicates synchronously
 * (the primary's {@code synchronous_standby_names = '*'}), so a commit Keyport saw is on the
 * replica too. A test can {@link #killPrimary} (SIGKILL to every process of the primary, as a
 * machine's crash) and {@link #promoteReplica}; {@link #close} stops what is still running, by pid,
 * and deletes the folder.
 */
public final class PostgresPair implements AutoCloseable {

  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";
  public static final String DATABASE = "keyport";
  private static final String REPLICATOR = "replicator";
  private static final String REPLICATOR_PASSWORD = "replicator-password";
  private static final String OS_USER = "postgres";

  private final Path bin;
  private final Path dir;
  private final Path primary;
  private final Path replica;
  private final int primaryPort = Ports.free();
  private final int replicaPort = Ports.free();

  private PostgresPair(Path bin, Path dir) {
    this.bin = bin;
    this.dir = dir;
    this.primary = dir.resolve("primary");
    this.replica = dir.resolve("replica");
  }

  /**
   * Starts a primary with a database {@value #DATABASE} and a replication user, and a streaming
   * replica of it; fails saying what to install when PostgreSQL's server binaries are missing.
   */
  public static PostgresPair start() throws IOException, InterruptedException, SQLException {
    Path bin = serverBinaries();
    Path dir = Files.createTempDirectory("keyport-it-pgpair-");
    UserPrincipal owner =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
    Files.setOwner(dir, owner);
    PostgresPair pair = new PostgresPair(bin, dir);
    try {
      pair.startPrimary();
      pair.startReplica();
      return pair;
    } catch (IOException | InterruptedException | SQLException | RuntimeException | Error e) {
      pair.close();
      throw e;
    }
  }

  /** The newest {@code /usr/lib/postgresql/<version>/bin} with the tools this class runs. */
  private static Path serverBinaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    Optional<Path> found = Optional.empty();
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        found =
            versions
                .map(version -> version.resolve("bin"))
                .filter(
                    bin ->
                        Stream.of("initdb", "pg_ctl", "pg_basebackup")
                            .allMatch(tool -> Files.isExecutable(bin.resolve(tool))))
                .max(Comparator.comparing(PostgresPair::majorVersion));
      }
    }
    if (found.isEmpty()) {
      fail(
          "This test needs PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup under"
              + " /usr/lib/postgresql/<version>/bin), and there are none. Install them: apt-get"
              + " install -y postgresql");
    }
    if (!new File("/usr/sbin/runuser").canExecute() && !new File("/sbin/runuser").canExecute()) {
      fail("This test runs PostgreSQL as the postgres user through runuser: install util-linux");
    }
    return found.get();
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Keyport's URL: both servers, the driver choosing whichever is primary now. */
  public String multiHostUrl() {
    return "jdbc:postgresql://127.0.0.1:"
        + primaryPort
        + ",127.0.0.1:"
        + replicaPort
        + "/"
        + DATABASE
        + "?targetServerType=primary";
  }

  public int primaryPort() {
    return primaryPort;
  }

  public int replicaPort() {
    return replicaPort;
  }

  /** A connection to the first server, as the test's own superuser. */
  public Connection connectPrimary() throws SQLException {
    return connect(primaryPort, DATABASE);
  }

  /** A connection to the second server (the replica until promoted). */
  public Connection connectReplica() throws SQLException {
    return connect(replicaPort, DATABASE);
  }

  private static Connection connect(int port, String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=5",
        USER,
        PASSWORD);
  }

  private void startPrimary() throws IOException, InterruptedException, SQLException {
    Path passwordFile = dir.resolve("superuser-password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    ownByPostgres(passwordFile);
    asPostgres(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            primary.toString(),
            "-U",
            USER,
            "--pwfile=" + passwordFile,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync"),
        List.of());
    Files.writeString(
        primary.resolve("postgresql.conf"),
        String.join(
            "\n",
            "",
            "# PostgresPair",
            "listen_addresses = '127.0.0.1'",
            "port = " + primaryPort,
            "unix_socket_directories = '" + dir + "'",
            "wal_level = replica",
            "max_wal_senders = 5",
            "hot_standby = on",
            "shared_buffers = 32MB",
            "max_connections = 100",
            "fsync = off",
            ""),
        StandardOpenOption.APPEND);
    // initdb's pg_hba.conf already admits replication from loopback with scram-sha-256; this line
    // names the one user it is for, first.
    Path hba = primary.resolve("pg_hba.conf");
    Files.writeString(
        hba,
        "host replication "
            + REPLICATOR
            + " 127.0.0.1/32 scram-sha-256\n"
            + Files.readString(hba, StandardCharsets.UTF_8));
    pgCtl(primary, "start", "-w", "-t", "60", "-l", dir.resolve("primary.log").toString());
    try (Connection db = connect(primaryPort, "postgres");
        Statement sql = db.createStatement()) {
      sql.execute(
          "create role "
              + REPLICATOR
              + " with replication login password '"
              + REPLICATOR_PASSWORD
              + "'");
      sql.execute("create database " + DATABASE);
    }
  }

  private void startReplica() throws IOException, InterruptedException, SQLException {
    asPostgres(
        List.of(
            bin.resolve("pg_basebackup").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(primaryPort),
            "-U",
            REPLICATOR,
            "-D",
            replica.toString(),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast"),
        List.of("PGPASSWORD=" + REPLICATOR_PASSWORD));
    // The copied postgresql.conf names the primary's port; the later line wins.
    Files.writeString(
        replica.resolve("postgresql.conf"),
        "\nport = " + replicaPort + "\n",
        StandardOpenOption.APPEND);
    pgCtl(replica, "start", "-w", "-t", "60", "-l", dir.resolve("replica.log").toString());
    // Synchronous from now on (set after the copy, so the replica, once promoted, waits for
    // nobody).
    try (Connection db = connect(primaryPort, "postgres");
        Statement sql = db.createStatement()) {
      sql.execute("alter system set synchronous_standby_names = '*'");
      sql.execute("select pg_reload_conf()");
      for (int attempt = 0; attempt < 120; attempt++) {
        try (ResultSet row =
            sql.executeQuery(
                "select count(*) from pg_stat_replication"
                    + " where state = 'streaming' and sync_state = 'sync'")) {
          row.next();
          if (row.getInt(1) == 1) {
            return;
          }
        }
        Thread.sleep(250);
      }
    }
    fail("the replica never streamed synchronously from the primary:\n" + logs());
  }

  /**
   * The primary dies as its machine would: SIGKILL to the postmaster and every process it started,
   * so nothing is shut down cleanly and no client hears a goodbye.
   */
  public void killPrimary() throws IOException {
    long pid = postmasterPid(primary).orElseThrow(() -> new IllegalStateException("no primary"));
    ProcessHandle postmaster =
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("primary not running"));
    List<ProcessHandle> processes = new ArrayList<>();
    processes.add(postmaster);
    processes.addAll(postmaster.descendants().toList());
    processes.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        fail("PostgreSQL process " + process.pid() + " did not die of SIGKILL: " + e);
      }
    }
  }

  /** The replica becomes the primary ({@code pg_ctl promote}, waiting until it accepts writes). */
  public void promoteReplica() throws IOException, InterruptedException {
    pgCtl(replica, "promote", "-w", "-t", "60");
  }

  /** Both servers' logs, for failure messages. */
  public String logs() {
    StringBuilder text = new StringBuilder();
    for (String name : List.of("primary.log", "replica.log")) {
      Path log = dir.resolve(name);
      try {
        if (Files.isRegularFile(log)) {
          String content = Files.readString(log, StandardCharsets.ISO_8859_1);
          text.append("--- ")
              .append(name)
              .append('\n')
              .append(content.substring(Math.max(0, content.length() - 4000)));
        }
      } catch (IOException e) {
        text.append("--- ").append(name).append(": ").append(e.getMessage()).append('\n');
      }
    }
    return text.toString();
  }

  /**
   * Stops whichever server still runs (SIGKILL by its pid: the data is thrown away) and cleans up.
   */
  @Override
  public void close() {
    for (Path data : List.of(primary, replica)) {
      try {
        postmasterPid(data)
            .flatMap(ProcessHandle::of)
            .ifPresent(
                postmaster -> {
                  List<ProcessHandle> processes = new ArrayList<>();
                  processes.add(postmaster);
                  processes.addAll(postmaster.descendants().toList());
                  processes.forEach(ProcessHandle::destroyForcibly);
                  processes.forEach(process -> process.onExit().join());
                });
      } catch (IOException e) {
        System.err.println("could not read " + data + "'s postmaster.pid: " + e.getMessage());
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** The postmaster's pid, the first line of its data folder's postmaster.pid, while it runs. */
  private static Optional<Long> postmasterPid(Path data) throws IOException {
    Path file = data.resolve("postmaster.pid");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
  }

  private void pgCtl(Path data, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D"));
    command.add(data.toString());
    command.addAll(List.of(arguments));
    asPostgres(command, List.of());
  }

  /** Runs a server tool as the postgres OS user; fails with its output when it fails. */
  private void asPostgres(List<String> tool, List<String> environment)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--", "env"));
    command.addAll(environment);
    command.addAll(tool);
    Path output = Files.createTempFile(dir, "command-", ".out");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", tool) + " did not finish within 120 s:\n" + Files.readString(output));
    }
    if (process.exitValue() != 0) {
      fail(
          String.join(" ", tool)
              + " failed (exit "
              + process.exitValue()
              + "):\n"
              + Files.readString(output)
              + logs());
    }
  }

  private static void ownByPostgres(Path path) throws IOException {
    Files.setOwner(
        path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER));
  }
}
