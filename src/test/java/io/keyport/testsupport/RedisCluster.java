package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Redis Cluster of Debian's redis-server on loopback: three masters and three replicas, made
 * by {@code redis-cli --cluster create}, without persistence, in a temporary folder removed on
 * {@link #close}. A test reads it through a cluster client ({@link #commands}) as Gloo would, finds
 * which master serves a key, and fails a master over by hand ({@link #failover}) or by killing it
 * ({@link #kill}).
 */
public final class RedisCluster implements AutoCloseable {

  private static final String SERVER = "/usr/bin/redis-server";
  private static final String CLI = "/usr/bin/redis-cli";

  /**
   * How long a master may be silent before the others count it as failed and its replica takes
   * over: 15 s by default; 2 s here, so a killed master is replaced within a few seconds.
   */
  private static final int NODE_TIMEOUT_MILLIS = 2_000;

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<String, String> connection;

  private RedisCluster(Path dir) {
    this.dir = dir;
  }

  /**
   * Starts six redis-server processes in cluster mode on free ports, joins them as three masters
   * with a replica each, and waits until every node says the cluster is ok.
   */
  public static RedisCluster start() throws IOException, InterruptedException {
    for (String binary : List.of(SERVER, CLI)) {
      if (!new File(binary).canExecute()) {
        fail(
            "This test needs a Redis Cluster of Debian's Redis: "
                + binary
                + " is missing. Install it: apt-get install redis-server (redis-cli comes with it)");
      }
    }
    RedisCluster cluster = new RedisCluster(Files.createTempDirectory("keyport-it-redis-cluster-"));
    try {
      for (int i = 0; i < 6; i++) {
        cluster.startNode(Ports.free(), Ports.free());
      }
      List<String> create = new ArrayList<>(List.of(CLI, "--cluster", "create"));
      cluster.nodes.keySet().forEach(port -> create.add("127.0.0.1:" + port));
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      Path log = cluster.dir.resolve("cluster-create.log");
      Process made =
          new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!made.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS) || made.exitValue() != 0) {
        made.destroyForcibly();
        fail("redis-cli --cluster create failed:\n" + Files.readString(log));
      }
      cluster.awaitHealthy(3);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  private void startNode(int port, int busPort) throws IOException, InterruptedException {
    Path home = Files.createDirectories(dir.resolve(Integer.toString(port)));
    Process process =
        new ProcessBuilder(
                SERVER,
                "--port",
                Integer.toString(port),
                "--cluster-port",
                Integer.toString(busPort),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                home.resolve("nodes.conf").toString(),
                "--cluster-node-timeout",
                Integer.toString(NODE_TIMEOUT_MILLIS),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                home.toString())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("redis.log").toFile())
            .start();
    nodes.put(port, process);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    fail(
        "redis-server did not start in cluster mode on port "
            + port
            + ":\n"
            + Files.readString(home.resolve("redis.log")));
  }

  /** {@code keyport.redis.url} for this cluster: two of its nodes as seeds. */
  public String url() {
    List<Integer> ports = new ArrayList<>(nodes.keySet());
    return "redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
  }

  /**
   * Commands through a cluster client of the test's own, as Gloo's server and ext-auth service read
   * Redis: each key from the master of its slot, following the cluster after a failover.
   */
  public synchronized RedisAdvancedClusterCommands<String, String> commands() {
    if (client == null) {
      client =
          RedisClusterClient.create(
              live().stream().map(port -> RedisURI.create("127.0.0.1", port)).toList());
      client.setOptions(
          ClusterClientOptions.builder()
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enablePeriodicRefresh(Duration.ofSeconds(1))
                      .enableAllAdaptiveRefreshTriggers()
                      .build())
              .build());
    }
    if (connection == null) {
      connection = client.connect();
    }
    return connection.sync();
  }

  /** The port of the master that serves {@code key}'s slot now. */
  public int masterOf(String key) {
    int slot = SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8));
    return topology().stream()
        .filter(node -> node.is(NodeFlag.UPSTREAM) && !node.is(NodeFlag.FAIL))
        .filter(node -> node.getSlots().contains(slot))
        .findFirst()
        .map(node -> node.getUri().getPort())
        .orElseThrow(() -> new AssertionError("no master serves slot " + slot + " of " + key));
  }

  /** The port of a live replica of the master on {@code masterPort}. */
  public int replicaOf(int masterPort) {
    List<RedisClusterNode> topology = topology();
    String master =
        topology.stream()
            .filter(node -> node.getUri().getPort() == masterPort)
            .findFirst()
            .orElseThrow()
            .getNodeId();
    return topology.stream()
        .filter(node -> master.equals(node.getSlaveOf()) && !node.is(NodeFlag.FAIL))
        .filter(node -> live().contains(node.getUri().getPort()))
        .findFirst()
        .map(node -> node.getUri().getPort())
        .orElseThrow(() -> new AssertionError("the master on " + masterPort + " has no replica"));
  }

  /**
   * A manual failover, as an operator does for maintenance ({@code redis-cli -p <replica> cluster
   * failover}): the replica waits until it has every write of its master, then takes over; the old
   * master becomes its replica. Returns when every live node sees the replica as the master.
   */
  public void failover(int replicaPort) throws IOException, InterruptedException {
    Process asked =
        new ProcessBuilder(CLI, "-p", Integer.toString(replicaPort), "cluster", "failover")
            .redirectErrorStream(true)
            .start();
    String answer = new String(asked.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    asked.waitFor(10, TimeUnit.SECONDS);
    if (!answer.strip().equals("OK")) {
      fail("redis-cli -p " + replicaPort + " cluster failover answered: " + answer);
    }
    awaitMaster(replicaPort);
  }

  /**
   * Waits until the replica on {@code replicaPort} has every write its master on {@code masterPort}
   * acknowledged so far (their replication offsets meet).
   */
  public void awaitReplicated(int masterPort, int replicaPort) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      long master = offset(masterPort, "master_repl_offset");
      if (master > 0 && offset(replicaPort, "slave_repl_offset") >= master) {
        return;
      }
      Thread.sleep(50);
    }
    fail("the replica on " + replicaPort + " did not catch up with its master on " + masterPort);
  }

  /** Kills the node on {@code port} at once (SIGKILL), as a crash would. */
  public void kill(int port) throws InterruptedException {
    Process process = nodes.get(port);
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Waits until every live node sees the node on {@code port} as a master serving slots, and the
   * cluster as ok: a replica's promotion after its master failed.
   */
  public void awaitMaster(int port) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (healthy(3) && live().stream().allMatch(node -> servesSlots(node, port))) {
        return;
      }
      Thread.sleep(100);
    }
    fail("the node on " + port + " did not become a master:\n" + describe());
  }

  private boolean servesSlots(int askedPort, int port) {
    return topology(askedPort).stream()
        .anyMatch(
            node ->
                node.getUri().getPort() == port
                    && node.is(NodeFlag.UPSTREAM)
                    && !node.hasNoSlots());
  }

  private void awaitHealthy(int masters) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (healthy(masters)) {
        return;
      }
      Thread.sleep(100);
    }
    fail("the Redis Cluster did not reach cluster_state:ok:\n" + describe());
  }

  /** Every live node says cluster_state:ok and knows {@code masters} live masters with slots. */
  private boolean healthy(int masters) {
    for (int port : live()) {
      try {
        if (!ask(port, c -> c.clusterInfo()).contains("cluster_state:ok")) {
          return false;
        }
        long serving =
            topology(port).stream()
                .filter(n -> n.is(NodeFlag.UPSTREAM) && !n.is(NodeFlag.FAIL) && !n.hasNoSlots())
                .count();
        if (serving != masters) {
          return false;
        }
      } catch (RuntimeException notYet) {
        return false;
      }
    }
    return true;
  }

  private List<RedisClusterNode> topology() {
    return topology(live().get(0));
  }

  private List<RedisClusterNode> topology(int port) {
    Partitions partitions = ClusterPartitionParser.parse(ask(port, c -> c.clusterNodes()));
    return partitions.getPartitions();
  }

  private long offset(int port, String field) {
    for (String line : ask(port, c -> c.info("replication")).split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).strip());
      }
    }
    return -1;
  }

  private List<Integer> live() {
    return nodes.entrySet().stream()
        .filter(node -> node.getValue().isAlive())
        .map(Map.Entry::getKey)
        .toList();
  }

  private String describe() {
    return live().stream()
        .map(port -> port + ":\n" + askQuietly(port, c -> c.clusterNodes()))
        .collect(Collectors.joining("\n"));
  }

  private String askQuietly(int port, Function<RedisCommands<String, String>, String> question) {
    try {
      return ask(port, question);
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  /** One question to one node, on a connection of its own (a node may have died since the last). */
  private static String ask(int port, Function<RedisCommands<String, String>, String> question) {
    RedisURI uri = RedisURI.create("127.0.0.1", port);
    uri.setTimeout(Duration.ofSeconds(2));
    RedisClient one = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = one.connect()) {
      return question.apply(connection.sync());
    } finally {
      one.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  /**
   * Stops every node this cluster started (by its process), keeps their logs in
   * target/redis-cluster-logs and removes the cluster's folder.
   */
  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      client = null;
    }
    for (Process process : nodes.values()) {
      process.destroyForcibly();
    }
    for (Process process : nodes.values()) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Path kept = Files.createDirectories(Path.of("target", "redis-cluster-logs"));
      for (int port : nodes.keySet()) {
        Path log = dir.resolve(Integer.toString(port)).resolve("redis.log");
        if (Files.exists(log)) {
          Files.copy(log, kept.resolve(port + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      System.err.println("[redis-cluster] could not keep the nodes' logs: " + e);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      System.err.println("[redis-cluster] could not remove " + dir + ": " + e);
    }
  }
}
