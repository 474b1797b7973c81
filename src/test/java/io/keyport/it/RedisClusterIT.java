package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.RedisCluster;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Keyport on a real Redis Cluster (docs/redis-mirror.md, "Redis Cluster"): six of Debian's
 * redis-server, three masters with a replica each, started here, and a Keyport node of this test's
 * own in redis rate-limit mode with {@code KEYPORT_REDIS_URL=redis-cluster://...}, on a database of
 * its own (the mirror's publisher serves every key of its database, and the shared nodes' database
 * is mirrored to the run's single Redis). Gloo's three entries per key are read back through a
 * cluster client by the names Gloo reads; resync walks every master; rate limits, quotas and
 * credits are exact; and after a manual failover and a master killed with SIGKILL nothing is lost:
 * the entries are there, counts carry on without a reset, and new keys reach the promoted master.
 * The tests run one after another (the failover must not run under another test's count), in the
 * lane beside the shared nodes' classes.
 */
@Execution(ExecutionMode.CONCURRENT)
class RedisClusterIT {

  private static final String DATABASE = "keyport_redis_cluster";
  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_PATIENCE = Duration.ofSeconds(600);
  private static final int ATTEMPTS = 300; // polls 100 ms apart

  private static RedisCluster cluster;
  private static KeyportNode node;
  private static Http http;
  private static Http listener;

  @BeforeAll
  static void startAClusterAndANodeOnIt() throws Exception {
    try (Connection db = TestDatabase.connect();
        Statement sql = db.createStatement()) {
      sql.execute("drop database if exists " + DATABASE + " with (force)");
      sql.execute("create database " + DATABASE);
    }
    cluster = RedisCluster.start();
    Map<String, String> env = new HashMap<>();
    env.put("KEYPORT_DB_URL", TestDatabase.url(DATABASE));
    env.put("KEYPORT_DB_USER", "postgres");
    env.put("KEYPORT_DB_PASSWORD", "postgres");
    env.put("KEYPORT_DEMO_SEED", "true");
    env.put("KEYPORT_REDIS_URL", cluster.url());
    env.put("KEYPORT_RATELIMIT_MODE", "redis");
    env.put("KEYPORT_JAVA_OPTS", "-Xmx512m -Dkeyport.notifications.dispatch=false");
    node = KeyportNode.launch("redis-cluster", env);
    node.awaitReady(START_PATIENCE);
    http = new Http(node.url());
    listener = new Http(URI.create("http://127.0.0.1:" + node.checkPort() + "/").toURL());
    // A node's first Redis calls (the cluster's topology, connections to each master) are slow
    // enough that a burst on a cold node overflows the check listener's queue; warm it up.
    Keys.Created warm = Keys.create(http, "cluster-warm", "petstore", "unlimited");
    for (int i = 0; i < 20; i++) {
      assertEquals(200, listener.check("/petstore/pets", warm.value()).statusCode(), "warm-up");
    }
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      try (Connection db = TestDatabase.connect();
          Statement sql = db.createStatement()) {
        sql.execute("drop database if exists " + DATABASE + " with (force)");
      }
    }
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void aKeyIsInGloosLayoutOnTheClusterAndResyncWalksEveryMaster() throws Exception {
    Keys.Created key = Keys.create(http, "cluster-layout", "petstore", "gold");
    String hash = mirroredHash(key);
    RedisAdvancedClusterCommands<String, String> gloo = cluster.commands();
    JsonNode json = JSON.readTree(gloo.get(hash));
    assertEquals(hash, json.path("api_key").asText());
    assertEquals(key.id(), json.path("uuid").asText());
    assertEquals("dev@example.com", json.path("labels").path(0).asText());
    assertEquals("gold", json.path("metadata").path("usagePlan").asText());
    assertEquals("petstore", json.path("metadata").path("apiProduct").asText());
    assertEquals(key.name(), json.path("metadata").path("name").asText());
    assertTrue(gloo.sismember("dev@example.com", hash));
    // Gloo's names are neither changed nor hash-tagged, so they are spread over the slots.
    System.out.printf(
        "[redis-cluster] slots of one key's entries: uuid %d, hash %d, username %d%n",
        SlotHash.getSlot(key.id()), SlotHash.getSlot(hash), SlotHash.getSlot("dev@example.com"));
    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());

    // Resync SCANs every master: an entry lost, and an orphan in Gloo's shape on each master.
    gloo.del(hash);
    Map<Integer, String> orphans = new HashMap<>();
    while (orphans.size() < 3) {
      String orphan = orphanName();
      orphans.putIfAbsent(cluster.masterOf(orphan), orphan);
    }
    for (String orphan : orphans.values()) {
      gloo.set(
          orphan,
          "{\"api_key\":\""
              + orphan
              + "\",\"labels\":[\"nobody\"],\"metadata\":{},\"uuid\":\""
              + UUID.randomUUID()
              + "\"}");
    }
    HttpResponse<String> resync =
        http.api("POST", "api/v1/admin/redis-mirror/resync", ADMIN, ADMIN_PASSWORD, null);
    assertEquals(200, resync.statusCode(), resync.body());
    JsonNode summary = JSON.readTree(resync.body());
    assertTrue(summary.path("missing").asInt() >= 1, resync.body());
    assertTrue(summary.path("orphaned").asInt() >= 3, resync.body());
    assertEquals(json, JSON.readTree(gloo.get(hash)));
    for (String orphan : orphans.values()) {
      assertNull(gloo.get(orphan), "an orphan left on master " + cluster.masterOf(orphan));
    }

    // A deletion removes all three entries, each on its own slot.
    HttpResponse<String> deleted =
        http.api("DELETE", "api/v1/api-keys/" + key.id(), Keys.DEV, Keys.DEV_PASSWORD, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    eventually(
        () ->
            gloo.get(key.id()) == null
                && gloo.get(hash) == null
                && !gloo.sismember("dev@example.com", hash),
        "the deleted key's three entries to leave the cluster");
    assertEquals(401, http.check("/petstore/pets", key.value()).statusCode());
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void goldAdmitsFiveAMinuteThenRefusesTheSixth() {
    Keys.Created key = Keys.create(http, "cluster-gold", "petstore", "gold");
    for (int i = 1; i <= 5; i++) {
      assertEquals(200, listener.check("/petstore/pets", key.value()).statusCode(), "request " + i);
    }
    HttpResponse<String> sixth = listener.check("/petstore/pets", key.value());
    assertEquals(429, sixth.statusCode(), sixth.body());
    assertTrue(sixth.headers().firstValue("retry-after").isPresent(), sixth.headers().toString());
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void twoHundredParallelChecksOnFiftyCreditsAdmitExactlyFifty() throws Exception {
    Keys.Created key = Keys.create(http, "cluster-credits", "petstore", "unlimited");
    setCredits(key, 50);
    List<Integer> answers = parallelChecks("/petstore/pets", key.value(), 200);
    assertEquals(50, count(answers, 200), answers.toString());
    assertEquals(150, count(answers, 429), answers.toString());
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void aManualFailoverAndAKilledMasterLoseNothing() throws Exception {
    String rated = "rcrate" + suffix();
    String quoted = "rcquota" + suffix();
    String probes = "rcprobe" + suffix();
    TestDatabase.createProductWithPlan(DATABASE, rated, "requests_per_unit, rate_unit", "5, 'DAY'");
    TestDatabase.createProductWithPlan(DATABASE, quoted, "monthly_quota", "10");
    TestDatabase.createProductWithPlan(
        DATABASE, probes, "requests_per_unit, rate_unit", "1000, 'SECOND'");
    Keys.Created rate = Keys.create(http, "cluster-rate", rated, rated);
    Keys.Created quota = Keys.create(http, "cluster-quota", quoted, quoted);
    Keys.Created credits = Keys.create(http, "cluster-credits", "petstore", "unlimited");
    Keys.Created mirrored = Keys.create(http, "cluster-mirrored", "petstore", "gold");
    setCredits(credits, 50);

    for (int i = 1; i <= 5; i++) {
      assertEquals(200, listener.check("/" + rated + "/x", rate.value()).statusCode(), "rate " + i);
    }
    assertEquals(429, listener.check("/" + rated + "/x", rate.value()).statusCode());
    for (int i = 1; i <= 4; i++) {
      assertEquals(200, listener.check("/" + quoted + "/x", quota.value()).statusCode(), "quota");
    }
    assertEquals(20, count(parallelChecks("/petstore/pets", credits.value(), 20), 200));
    String hash = mirroredHash(mirrored);
    String mirroredJson = cluster.commands().get(hash);

    // A manual failover of the master that holds the rate bucket: the replica takes over only
    // once it has every write, and Keyport follows the MOVED answers of the old master.
    String bucket = "keyport:rate:" + rate.id() + ":5/DAY";
    int firstMaster = cluster.masterOf(bucket);
    int firstReplica = cluster.replicaOf(firstMaster);
    cluster.failover(firstReplica);
    assertEquals(firstReplica, cluster.masterOf(bucket));
    assertEquals(
        429,
        listener.check("/" + rated + "/x", rate.value()).statusCode(),
        "the rate bucket started afresh after a manual failover");
    for (int i = 5; i <= 6; i++) {
      assertEquals(200, listener.check("/" + quoted + "/x", quota.value()).statusCode(), "quota");
    }
    assertEquals(mirroredJson, cluster.commands().get(hash));

    // The bucket's master now is killed, as a crash would, once its replica (the old master) has
    // its writes; the replica is promoted when the others count the master as failed.
    long resyncsBefore = resyncs();
    cluster.awaitReplicated(firstReplica, firstMaster);
    cluster.kill(firstReplica);
    cluster.awaitMaster(firstMaster);
    assertEquals(firstMaster, cluster.masterOf(bucket));

    // Keyport has followed the failover once a new key's entry reaches the promoted master.
    Keys.Created onPromoted = null;
    for (int i = 0; i < 40 && onPromoted == null; i++) {
      Keys.Created probe = Keys.create(http, "cluster-probe", probes, probes);
      if (cluster.masterOf(probe.id()) == firstMaster) {
        onPromoted = probe;
      }
    }
    if (onPromoted == null) {
      fail("none of 40 new keys' ids falls in the promoted master's slots");
    }
    mirroredHash(onPromoted);
    assertEquals(200, http.check("/" + probes + "/x", onPromoted.value()).statusCode());

    // Nothing lost: the entries, the rate bucket, the quota count and the credits carry on.
    assertEquals(mirroredJson, cluster.commands().get(hash));
    assertEquals(hash, cluster.commands().get(mirrored.id()));
    assertTrue(cluster.commands().sismember("dev@example.com", hash));
    assertEquals(200, http.check("/petstore/pets", mirrored.value()).statusCode());
    assertEquals(
        429,
        listener.check("/" + rated + "/x", rate.value()).statusCode(),
        "the rate bucket started afresh after its master was killed");
    List<Integer> quotaAnswers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      quotaAnswers.add(listener.check("/" + quoted + "/x", quota.value()).statusCode());
    }
    assertEquals(List.of(200, 200, 200, 200, 429, 429, 429, 429), quotaAnswers);
    List<Integer> creditAnswers = parallelChecks("/petstore/pets", credits.value(), 100);
    assertEquals(30, count(creditAnswers, 200), creditAnswers.toString());
    assertEquals(70, count(creditAnswers, 429), creditAnswers.toString());
    assertTrue(
        node.log().contains("The Redis Cluster's topology changed"),
        "Keyport did not see the failover: " + node.logTail());
    // Whatever a crashed master took with it, the resync after the failover writes again.
    // (One that starts while a master is still down fails and is tried again 30 s later.)
    eventually(() -> resyncs() > resyncsBefore, "a resync of the mirror after the failover", 600);
  }

  private static long resyncs() {
    return node.log().lines().filter(line -> line.contains("Redis mirror resynced")).count();
  }

  /** The key's hash as Gloo finds it, once all three of its entries are on the cluster. */
  private static String mirroredHash(Keys.Created key) throws InterruptedException {
    RedisAdvancedClusterCommands<String, String> gloo = cluster.commands();
    String[] hash = new String[1];
    eventually(
        () -> {
          try {
            hash[0] = gloo.get(key.id());
            return hash[0] != null
                && gloo.get(hash[0]) != null
                && gloo.sismember("dev@example.com", hash[0]);
          } catch (RuntimeException notYet) {
            return false;
          }
        },
        "key " + key.name() + " mirrored to the cluster in Gloo's layout");
    return hash[0];
  }

  private static void setCredits(Keys.Created key, int remaining) throws Exception {
    HttpResponse<String> read =
        http.api("GET", "api/v1/admin/api-keys/" + key.id(), ADMIN, ADMIN_PASSWORD, null);
    assertEquals(200, read.statusCode(), read.body());
    long version = JSON.readTree(read.body()).path("lockVersion").asLong();
    HttpResponse<String> changed =
        http.api(
            "PATCH",
            "api/v1/admin/api-keys/" + key.id(),
            ADMIN,
            ADMIN_PASSWORD,
            "{\"lockVersion\":" + version + ",\"credits\":{\"remaining\":" + remaining + "}}");
    assertEquals(200, changed.statusCode(), changed.body());
  }

  /** {@code total} checks at the check listener from 32 threads; their statuses. */
  private static List<Integer> parallelChecks(String path, String key, int total) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(32);
    try {
      List<Future<Integer>> pending = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        pending.add(threads.submit(() -> listener.check(path, key).statusCode()));
      }
      List<Integer> answers = new ArrayList<>();
      for (Future<Integer> answer : pending) {
        answers.add(answer.get());
      }
      return answers;
    } finally {
      threads.shutdownNow();
    }
  }

  private static long count(List<Integer> answers, int status) {
    return answers.stream().filter(s -> s == status).count();
  }

  /** A name in Gloo's hash shape (43 base64 characters and '='), nobody's key. */
  private static String orphanName() {
    String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder name = new StringBuilder();
    java.util.Random random = new java.util.Random();
    for (int i = 0; i < 43; i++) {
      name.append(letters.charAt(random.nextInt(letters.length())));
    }
    return name.append('=').toString();
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static void eventually(BooleanSupplier condition, String what)
      throws InterruptedException {
    eventually(condition, what, ATTEMPTS);
  }

  private static void eventually(BooleanSupplier condition, String what, int attempts)
      throws InterruptedException {
    for (int i = 0; i < attempts; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    fail("waited in vain for " + what);
  }
}
