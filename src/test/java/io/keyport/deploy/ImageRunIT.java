package io.keyport.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keyport.it.TestDatabase;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The image starts: target/keyport-image.tar unpacked and run without a container engine
 * (deploy/image/run-unpacked.sh: its layers, its Entrypoint as its User, its Env, new mount and PID
 * namespaces), as deploy/kubernetes runs it: an external PostgreSQL (a database of its own on the
 * run's test server), its HMAC secret, JSON logs, a read-only root and empty /tmp and data volume.
 * Ready; a key made through the REST API passes the check on the image's check port; gRPC and
 * metrics ports answer; both JVMs run as uid 10001; SIGTERM stops it. Image profile only: needs
 * root and the tarball; one Payara Micro start.
 */
@Execution(ExecutionMode.CONCURRENT)
class ImageRunIT {

  private static final int ATTEMPTS = 300;

  @Test
  void theImageRunsAsTheDeploymentRunsItAndStopsOnSigterm() throws Exception {
    Path tarball = ImageDefinition.PROJECT.resolve("target/keyport-image.tar");
    ImageTarball.read(tarball); // fails saying how to build it when it is missing
    Path work = Files.createTempDirectory(ImageDefinition.PROJECT.resolve("target"), "image-run-");
    Path root = work.resolve("root");
    Path log = work.resolve("image.log");
    int http = Ports.free();
    int check = Ports.free();
    int grpc = Ports.free();
    int metrics = Ports.free();
    String database = "image_run_" + Long.toHexString(System.nanoTime());
    try (Connection admin = TestDatabase.connect();
        Statement create = admin.createStatement()) {
      create.execute("create database " + database);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "bash",
                ImageDefinition.PROJECT.resolve("deploy/image/run-unpacked.sh").toString(),
                "--read-only",
                tarball.toString(),
                root.toString(),
                "KEYPORT_HTTP_PORT=" + http,
                "KEYPORT_CHECK_PORT=" + check,
                "KEYPORT_CHECK_GRPC_PORT=" + grpc,
                "KEYPORT_METRICS_PORT=" + metrics,
                "KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1",
                "KEYPORT_METRICS_BIND_ADDRESS=127.0.0.1",
                "KEYPORT_DB_URL=" + TestDatabase.url(database),
                "KEYPORT_DB_USER=postgres",
                "KEYPORT_DB_PASSWORD=postgres",
                "KEYPORT_KEYS_HMAC_SECRET=image-run-secret-" + database,
                "KEYPORT_DEMO_SEED=true",
                "KEYPORT_SESSION_SECURE_COOKIE=false",
                "KEYPORT_LOG_FORMAT=json"));
    Process image =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String ready = null;
      for (int i = 0; i < ATTEMPTS && image.isAlive(); i++) {
        ready = get(client, "http://127.0.0.1:" + http + ImageDefinition.READINESS);
        if (ready != null && ready.startsWith("200 ")) {
          break;
        }
        Thread.sleep(1000);
      }
      if (ready == null || !ready.startsWith("200 ")) {
        fail("the image did not become ready (last answer " + ready + "); its log: " + tail(log));
      }
      assertTrue(ready.contains("\"migrations\":\"applied\""), ready);
      assertTrue(ready.contains("\"database\":\"answers\""), ready);
      assertTrue(
          Files.readString(log).lines().anyMatch(l -> l.startsWith("{\"time\":")),
          "JSON log lines (KEYPORT_LOG_FORMAT=json)");
      assertTrue(
          get(client, "http://127.0.0.1:" + http + ImageDefinition.LIVENESS).startsWith("200 "));
      String denied = get(client, "http://127.0.0.1:" + check + "/auth/check/petstore/pets");
      assertTrue(denied.startsWith("401 "), "the check port answers: " + denied);
      Keys.Created key =
          Keys.create(
              new Http(URI.create("http://127.0.0.1:" + http + "/").toURL()),
              "image-run",
              "petstore",
              "gold");
      HttpResponse<String> allowed =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + check + "/auth/check/petstore/pets"))
                  .header("api-key", key.value())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, allowed.statusCode(), "a key made through the REST API passes");
      String scraped = get(client, "http://127.0.0.1:" + metrics + ImageDefinition.METRICS);
      assertTrue(scraped.startsWith("200 ") && scraped.contains("keyport_check_decisions_total"));
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", grpc)) {
        assertTrue(socket.isConnected(), "the gRPC port listens");
      }
      for (long pid : imageProcesses(image)) {
        assertEquals(
            ImageDefinition.APP_UID, uid(pid), "process " + pid + " runs as the image's user");
      }
      image.destroy(); // SIGTERM, as a runtime stops a container
      assertTrue(image.waitFor(120, TimeUnit.SECONDS), "the image stops on SIGTERM: " + tail(log));
      deleteTree(root); // 300 MB unpacked; the log stays
    } finally {
      if (image.isAlive()) {
        image.descendants().forEach(ProcessHandle::destroyForcibly);
        image.destroyForcibly();
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static List<Long> imageProcesses(Process image) {
    List<Long> java =
        image
            .descendants()
            .filter(
                p -> p.info().command().map(c -> c.endsWith("/opt/java/bin/java")).orElse(false))
            .map(ProcessHandle::pid)
            .toList();
    assertEquals(2, java.size(), "the launcher and Payara Micro: " + java);
    return java;
  }

  private static int uid(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Uid:")) {
        return Integer.parseInt(line.split("\\s+")[1]);
      }
    }
    throw new AssertionError("no Uid in /proc/" + pid + "/status");
  }

  /** "status body", or null while nothing answers. */
  private static String get(HttpClient client, String url) throws InterruptedException {
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() + " " + response.body();
    } catch (IOException notYet) {
      return null;
    }
  }

  private static String tail(Path log) throws IOException {
    String text = Files.exists(log) ? Files.readString(log) : "";
    return text.substring(Math.max(0, text.length() - 2000));
  }
}
