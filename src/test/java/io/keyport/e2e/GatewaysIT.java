package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import io.keyport.it.SpecKeys;
import io.keyport.it.TestDatabase;
import io.keyport.testsupport.AdminKeys;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Shared;
import jakarta.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * Real nginx and Caddy, run with the files in {@code examples/gateways/}, in front of an upstream
 * that echoes what it receives, asking the Keyport that Arquillian started: each gateway once with
 * the check's dedicated listener ({@code keyport.check.port}) and once with the portal's port. Then
 * a fuzz run straight at both check fronts.
 */
@ExtendWith(KeyportServers.class)
class GatewaysIT {

  private static final String DEV = "dev@example.com";
  private static final String PASSWORD = "dev";
  private static final String ADMIN = "admin@example.com";
  private static final String ADMIN_PASSWORD = "admin";
  private static final List<String> IDENTITY_HEADERS =
      List.of("x-solo-plan", "x-user-id", "x-api-key-id", "x-api-product", "x-team");

  /** Requests per check front in the fuzz run; two fronts. */
  private static final int FUZZ_PER_FRONT = 6_000;

  private static final int FUZZ_THREADS = 8;
  private static final int FUZZ_SOCKET_TIMEOUT_MILLIS = 15_000;
  private static final long FUZZ_TIMEOUT_MINUTES = 10;

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Shared URL base;
  @Shared KeyportServer keyport;

  // Started by the first test that needs them, stopped after the last.
  private static final List<AutoCloseable> RUNNING = new ArrayList<>();
  private static EchoUpstream upstream;
  private static List<GatewayProcess> gateways;
  private static List<GatewayProcess> stubbedGateways;
  private static int listenerPort;
  private static int portalPort;
  private static AssertionError startFailure;

  @AfterAll
  static void stopEverything() throws Exception {
    List<AutoCloseable> running = new ArrayList<>(RUNNING);
    Collections.reverse(running);
    RUNNING.clear();
    for (AutoCloseable server : running) {
      server.close();
    }
  }

  @Test
  void validKeyReachesTheUpstreamWithKeyportsHeaders() {
    forEachGateway(
        gateway -> {
          Key key = createKey("petstore", "gold", "{\"team\":\"payments\"}");
          String marker = marker();
          HttpResponse<String> response =
              get(gateway, "/petstore/pets/" + marker + "?limit=1", "api-key", key.value());
          assertEquals(200, response.statusCode(), gateway + ": " + response.body());
          EchoUpstream.Seen seen = onlyRequest(gateway, marker);
          assertEquals("/petstore/pets/" + marker + "?limit=1", seen.uri(), gateway + ": uri");
          assertIdentity(gateway, seen, key, "gold", List.of("payments"));
          assertEquals(List.of(), seen.header("api-key"), gateway + " passed the key upstream");

          String bearer = marker();
          response =
              get(gateway, "/petstore/pets/" + bearer, "Authorization", "Bearer " + key.value());
          assertEquals(200, response.statusCode(), gateway + " (Bearer): " + response.body());
          assertIdentity(gateway, onlyRequest(gateway, bearer), key, "gold", List.of("payments"));
        });
  }

  @Test
  void missingMalformedAndUnknownKeysAre401AndNeverReachTheUpstream() {
    forEachGateway(
        gateway -> {
          Key key = createKey("petstore", "unlimited", null);
          assertDenied(gateway, "/petstore/pets/", 401, "missing_api_key");
          assertDenied(gateway, "/petstore/pets/", 401, "missing_api_key", "api-key", "");
          assertDenied(gateway, "/petstore/pets/", 401, "invalid_api_key", "api-key", "not-a-key");
          assertDenied(
              gateway, "/petstore/pets/", 401, "invalid_api_key", "api-key", oneOff(key.value()));
          assertDenied(
              gateway,
              "/petstore/pets/",
              401,
              "invalid_api_key",
              "api-key",
              SpecKeys.wellFormed(new Random(), "kp"));
          assertDenied(
              gateway,
              "/petstore/pets/",
              401,
              "invalid_api_key",
              "Authorization",
              "Bearer " + SpecKeys.wellFormed(new Random(), "kp"));
        });
  }

  @Test
  void deletedKeyIs401() {
    forEachGateway(
        gateway -> {
          Key key = createKey("petstore", "unlimited", null);
          HttpResponse<String> before =
              get(gateway, "/petstore/pets/" + marker(), "api-key", key.value());
          assertEquals(
              200, before.statusCode(), gateway + " before the deletion: " + before.body());
          HttpResponse<String> deleted =
              http().api("DELETE", "api/v1/api-keys/" + key.id(), DEV, PASSWORD, null);
          assertEquals(204, deleted.statusCode(), deleted.body());
          assertDenied(gateway, "/petstore/pets/", 401, "invalid_api_key", "api-key", key.value());
        });
  }

  @Test
  void expiredKeyIs401() {
    forEachGateway(
        gateway -> {
          Key key = createKey("petstore", "unlimited", null);
          expire(key);
          assertDenied(gateway, "/petstore/pets/", 401, "invalid_api_key", "api-key", key.value());
        });
  }

  /**
   * The path Keyport checks is the one the upstream serves: dot segments, escaped or not, and
   * {@code ..;} (which Tomcat reads as {@code ..}) never lead a petstore key into /trackapi/.
   */
  @Test
  void keyOfAnotherProductIs403AlsoBehindDotSegments() {
    forEachGateway(
        gateway -> {
          Key key = createKey("petstore", "unlimited", null);
          assertDenied(
              gateway, "/trackapi/tracks/", 403, "route_not_allowed", "api-key", key.value());
          for (String sneaky :
              List.of(
                  "/petstore/../trackapi/tracks/",
                  "/petstore/%2e%2e/trackapi/tracks/",
                  "/petstore/./%2E%2E/trackapi/tracks/",
                  "/petstore/..%2ftrackapi/tracks/",
                  "/petstore/..;/trackapi/tracks/",
                  "/petstore/;/../trackapi/tracks/")) {
            String marker = marker();
            RawHttp.Answer answer =
                RawHttp.send(
                    gateway.port(),
                    new RawHttp.Request("GET", sneaky + marker)
                        .header("Host", "127.0.0.1:" + gateway.port())
                        .header("api-key", key.value())
                        .bytes(),
                    30_000);
            assertTrue(
                answer.status() == 403 || answer.status() == 400,
                gateway + " answered " + answer.status() + " to " + sneaky);
            assertEquals(
                List.of(), upstream.requestsWith(marker), gateway + " let " + sneaky + " through");
          }
        });
  }

  /**
   * A plan-wide key (SPEC §10: made without a product) passes through every gateway on each live
   * product that offers its plan, is refused on the others, and loses a product the moment an
   * administrator withdraws the plan from it.
   */
  @Test
  void aPlanWideKeyPassesOnEveryProductOfItsPlanAndLosesOneWhenThePlanIsWithdrawn() {
    String plan = "pw-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> madePlan =
        http()
            .api(
                "POST",
                "api/v1/admin/usage-plans",
                ADMIN,
                ADMIN_PASSWORD,
                "{\"name\":\"" + plan + "\",\"displayName\":\"Plan " + plan + "\"}");
    assertEquals(201, madePlan.statusCode(), madePlan.body());
    String first = plan + "-a";
    String second = plan + "-b";
    createProduct(first, "/" + first + "/", plan);
    createProduct(second, "/" + second + "/", plan);
    HttpResponse<String> made =
        http()
            .api(
                "POST",
                "v1/api-keys",
                DEV,
                PASSWORD,
                "{\"usagePlan\":\"" + plan + "\",\"apiKeyName\":\"all-" + plan + "\"}");
    assertEquals(201, made.statusCode(), made.body());
    Key key = new Key(field(made.body(), "id"), field(made.body(), "apiKey"));
    forEachGateway(
        gateway -> {
          for (String product : List.of(first, second)) {
            String marker = marker();
            HttpResponse<String> response =
                get(gateway, "/" + product + "/" + marker, "api-key", key.value());
            assertEquals(200, response.statusCode(), gateway + " on " + product);
            assertEquals(
                List.of(product),
                onlyRequest(gateway, marker).header("x-api-product"),
                gateway + ": the product the key reached");
          }
          assertDenied(gateway, "/petstore/", 403, "route_not_allowed", "api-key", key.value());
        });

    HttpResponse<String> current =
        http().api("GET", "api/v1/admin/api-products/" + second, ADMIN, ADMIN_PASSWORD, null);
    assertEquals(200, current.statusCode(), current.body());
    long lockVersion =
        Json.createReader(new StringReader(current.body()))
            .readObject()
            .getJsonNumber("lockVersion")
            .longValue();
    HttpResponse<String> withdrawn =
        http()
            .api(
                "PUT",
                "api/v1/admin/api-products/" + second,
                ADMIN,
                ADMIN_PASSWORD,
                "{\"id\":\""
                    + second
                    + "\",\"displayName\":\"Gateways IT "
                    + second
                    + "\",\"routes\":[{\"pathPrefix\":\"/"
                    + second
                    + "/\"}],\"usagePlans\":[],\"lockVersion\":"
                    + lockVersion
                    + "}");
    assertEquals(200, withdrawn.statusCode(), withdrawn.body());
    forEachGateway(
        gateway -> {
          // The catalogue change reaches the check through PostgreSQL's NOTIFY: wait for it, a
          // bounded number of times, then the refusal is the check's word as usual.
          for (int attempt = 0;
              attempt < 50
                  && get(gateway, "/" + second + "/" + marker(), "api-key", key.value())
                          .statusCode()
                      != 403;
              attempt++) {
            sleepMillis(100);
          }
          assertDenied(
              gateway, "/" + second + "/", 403, "route_not_allowed", "api-key", key.value());
          assertEquals(
              200, get(gateway, "/" + first + "/" + marker(), "api-key", key.value()).statusCode());
        });
  }

  /**
   * Issue 12 item 1: products {@code outer} on {@code /<slug>/} and {@code inner} on {@code
   * /<slug>/v2/}. Tomcat, Spring and Jetty upstreams serve {@code /<slug>/v2;x/secret} as inner's
   * {@code /<slug>/v2/secret}, IIS and some Node servers read {@code \} as {@code /}: a key of
   * outer must not pass there, through either gateway nor straight at either check front.
   */
  @Test
  void aKeyOfTheOuterProductNeverPassesOnTheNestedProductsRoutes() {
    NestedProducts nested = nestedProducts();
    Key outer = createKey(nested.outer(), "unlimited", null);
    Key inner = createKey(nested.inner(), "unlimited", null);
    String o = "/" + nested.outer();
    List<String> sneaky =
        List.of(
            o + "/v2;x/secret/",
            o + "/v2;/secret/",
            o + "/v2%3Bx/secret/",
            o + "/v2\\secret/",
            o + "/v2%5Csecret/",
            o + "/v2%5csecret/",
            o + "/v2%2Fsecret/",
            o + "//v2/secret/",
            o + "/x/%2e%2e/v2/secret/",
            o + "/v2./secret/",
            o + "/v2%252Fsecret/",
            o + "/v2%00/secret/",
            o + "/v2%C0%AFsecret/");
    forEachGateway(
        gateway -> {
          String allowed = marker();
          assertEquals(
              200,
              send(gateway.port(), o + "/v1/" + allowed, outer).status(),
              gateway + ": outer's key on its own route");
          onlyRequest(gateway, allowed);
          String own = marker();
          assertEquals(
              200,
              send(gateway.port(), o + "/v2/secret/" + own, inner).status(),
              gateway + ": inner's key on its own route");
          onlyRequest(gateway, own);
          assertDenied(
              gateway, o + "/v2/secret/", 403, "route_not_allowed", "api-key", outer.value());
          for (String path : sneaky) {
            String marker = marker();
            RawHttp.Answer answer = send(gateway.port(), path + marker, outer);
            assertTrue(
                answer.status() == 403 || answer.status() == 400,
                gateway + " answered " + answer.status() + " to " + path);
            assertEquals(
                List.of(), upstream.requestsWith(marker), gateway + " let " + path + " through");
          }
        });
    // Straight at the check, as the issue reported it: X-Forwarded-Uri as a gateway sends it.
    for (int port : List.of(listenerPort, portalPort)) {
      for (String path : sneaky) {
        RawHttp.Answer answer =
            RawHttp.send(
                port,
                new RawHttp.Request("GET", "/auth/check")
                    .header("Host", "127.0.0.1:" + port)
                    .header("X-Forwarded-Uri", path + "x")
                    .header("api-key", outer.value())
                    .bytes(),
                30_000);
        assertEquals(403, answer.status(), "port " + port + " on " + path);
        assertEquals("route_not_allowed", answer.header("x-keyport-deny"), "port " + port);
      }
    }
  }

  /**
   * Issue 12 item 9: a key sent as {@code Authorization: Bearer} stays at the gateway as the {@code
   * api-key} header does; any other Authorization reaches the upstream unchanged.
   */
  @Test
  void aKeyInAuthorizationNeverReachesTheUpstreamOtherCredentialsDo() {
    forEachGateway(
        gateway -> {
          Key key = createKey("petstore", "unlimited", null);
          for (String authorization :
              List.of(
                  "Bearer " + key.value(), "bearer   " + key.value(), "BEARER " + key.value())) {
            String marker = marker();
            HttpResponse<String> response =
                get(gateway, "/petstore/pets/" + marker, "Authorization", authorization);
            assertEquals(200, response.statusCode(), gateway + ": " + response.body());
            EchoUpstream.Seen seen = onlyRequest(gateway, marker);
            // assertTrue, not assertEquals: a failure must not print the key.
            assertTrue(
                seen.header("Authorization").isEmpty(),
                gateway + " passed the key upstream in Authorization");
            assertTrue(seen.header("api-key").isEmpty(), gateway + " passed the key upstream");
            assertFalse(
                seen.toString().contains(key.value()), gateway + " passed the key upstream");
          }

          String basic = "Basic " + Base64.getEncoder().encodeToString("svc:pw".getBytes());
          String jwt = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
          for (String other : List.of(basic, jwt)) {
            String marker = marker();
            HttpResponse<String> response =
                get(
                    gateway,
                    "/petstore/pets/" + marker,
                    "api-key",
                    key.value(),
                    "Authorization",
                    other);
            assertEquals(200, response.statusCode(), gateway + ": " + response.body());
            EchoUpstream.Seen seen = onlyRequest(gateway, marker);
            assertEquals(List.of(other), seen.header("Authorization"), gateway + ": " + other);
            assertTrue(seen.header("api-key").isEmpty(), gateway + " passed the key upstream");
          }
        });
  }

  @Test
  void forgedIdentityHeadersNeverReachTheUpstream() {
    String[] forged = {
      "x-solo-plan", "unlimited",
      "X-User-Id", "admin@example.com",
      "x-api-key-id", UUID.randomUUID().toString(),
      "X-API-Product", "tracks",
      "x-team", "root",
      "x_solo_plan", "unlimited",
      "x_user_id", "admin@example.com",
      "x_team", "root"
    };
    forEachGateway(
        gateway -> {
          Key withTeam = createKey("petstore", "gold", "{\"team\":\"payments\"}");
          String marker = marker();
          HttpResponse<String> response =
              get(gateway, "/petstore/pets/" + marker, with(forged, "api-key", withTeam.value()));
          assertEquals(200, response.statusCode(), gateway + ": " + response.body());
          EchoUpstream.Seen seen = onlyRequest(gateway, marker);
          assertIdentity(gateway, seen, withTeam, "gold", List.of("payments"));
          assertNoUnderscoreAliases(gateway, seen);

          // No team entry: Keyport sends no x-team, and the client's must not stand in for it.
          Key withoutTeam = createKey("petstore", "gold", null);
          marker = marker();
          response =
              get(
                  gateway,
                  "/petstore/pets/" + marker,
                  with(forged, "api-key", withoutTeam.value()));
          assertEquals(200, response.statusCode(), gateway + ": " + response.body());
          seen = onlyRequest(gateway, marker);
          assertIdentity(gateway, seen, withoutTeam, "gold", List.of());
          assertNoUnderscoreAliases(gateway, seen);

          assertDenied(gateway, "/petstore/pets/", 401, "missing_api_key", forged);
        });
  }

  @Test
  void forgedForwardingHeadersDoNotChooseWhatIsChecked() {
    forEachGateway(
        gateway -> {
          Key petstore = createKey("petstore", "unlimited", null);
          assertDenied(
              gateway,
              "/trackapi/tracks/",
              403,
              "route_not_allowed",
              "api-key",
              petstore.value(),
              "X-Forwarded-Uri",
              "/petstore/pets",
              "X-Original-URI",
              "/petstore/pets",
              "X-Forwarded-Method",
              "GET",
              "X-Original-Method",
              "GET",
              "X-Forwarded-Host",
              "petstore.example.com");
        });
  }

  /**
   * Keyport does not limit rates yet, so a stub check answers 429 and 503 here: nginx must map them
   * back from x-keyport-deny (auth_request turns them into 500), Caddy passes them on.
   */
  @Test
  void rateLimitAndUnavailableKeepTheirStatusAndReason() {
    start();
    assertAll(
        stubbedGateways.stream()
            .map(
                gateway ->
                    (Executable)
                        () -> {
                          HttpResponse<String> limited =
                              assertDenied(
                                  gateway,
                                  "/petstore/pets/",
                                  429,
                                  "rate_limited",
                                  "api-key",
                                  "stub-rate-limited");
                          assertEquals(
                              "7",
                              limited.headers().firstValue("Retry-After").orElse(null),
                              gateway + ": Retry-After");
                          HttpResponse<String> quota =
                              assertDenied(
                                  gateway,
                                  "/petstore/pets/",
                                  429,
                                  "quota_exceeded",
                                  "api-key",
                                  "stub-quota-exceeded");
                          assertEquals(
                              "86400",
                              quota.headers().firstValue("Retry-After").orElse(null),
                              gateway + ": Retry-After");
                          assertDenied(
                              gateway,
                              "/petstore/pets/",
                              503,
                              "unavailable",
                              "api-key",
                              "stub-unavailable");
                        }));
  }

  /**
   * Hostile requests straight at both check fronts: never a 5xx, never a 200 without the real key,
   * and the real key still works afterwards. {@code -Dfuzz.seed=} repeats a run.
   */
  @Test
  void theCheckSurvivesHostileRequests() throws Exception {
    start();
    Key real = createKey("petstore", "unlimited", null);
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Probe> probes = new ArrayList<>(2 * FUZZ_PER_FRONT);
    for (int i = 0; i < FUZZ_PER_FRONT; i++) {
      probes.add(Probe.random(random, "listener", listenerPort, real.value()));
      probes.add(Probe.random(random, "portal", portalPort, real.value()));
    }
    List<Callable<RawHttp.Answer>> calls =
        probes.stream()
            .map(
                probe ->
                    (Callable<RawHttp.Answer>)
                        () -> RawHttp.send(probe.port(), probe.bytes(), FUZZ_SOCKET_TIMEOUT_MILLIS))
            .toList();
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(FUZZ_THREADS);
    List<Future<RawHttp.Answer>> answers;
    try {
      answers = pool.invokeAll(calls, FUZZ_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    Map<String, Map<String, Integer>> tally = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int unanswered = 0;
    for (int i = 0; i < probes.size(); i++) {
      Probe probe = probes.get(i);
      Future<RawHttp.Answer> future = answers.get(i);
      if (future.isCancelled()) {
        failures.add("not sent within " + FUZZ_TIMEOUT_MINUTES + " minutes: " + probe.describe());
        continue;
      }
      RawHttp.Answer answer = outcome(future);
      String bucket = answer.answered() ? Integer.toString(answer.status()) : "no answer";
      tally
          .computeIfAbsent(probe.front() + " " + probe.kind(), k -> new TreeMap<>())
          .merge(bucket, 1, Integer::sum);
      if (!answer.answered()) {
        unanswered++;
        if (probe.wellFormed()) {
          failures.add("no answer (" + answer.failure() + ") to " + probe.describe());
        }
      } else if (answer.status() == 505 && probe.requestLineMalformed()) {
        // Grizzly splits a request line at any whitespace, so a tab or control byte in the
        // target leaves it a garbled protocol version, which it refuses with 505: the HTTP
        // layer's answer to a malformed request line, as 400 is elsewhere.
        continue;
      } else if (answer.status() >= 500) {
        failures.add(answer.status() + " for " + probe.describe());
      } else if (answer.status() == 200 && !probe.carriesRealKey()) {
        failures.add("200 without the real key for " + probe.describe());
      }
    }
    StringBuilder report =
        new StringBuilder("Check fuzz: seed ")
            .append(seed)
            .append(", ")
            .append(probes.size())
            .append(" requests in ")
            .append(millis)
            .append(" ms, ")
            .append(unanswered)
            .append(
                " closed without an answer (let pass for malformed or oversized requests only)\n");
    tally.forEach(
        (kind, counts) -> report.append("  ").append(kind).append(' ').append(counts).append('\n'));
    System.out.print(report);
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " bad answers (seed "
            + seed
            + "), the first:\n"
            + String.join("\n", failures.subList(0, Math.min(20, failures.size())))
                .replace(real.value(), "<real key>")
            + "\n"
            + report);

    for (int port : List.of(listenerPort, portalPort)) {
      RawHttp.Answer after = RawHttp.send(port, checkRequest(port, real.value()).bytes(), 30_000);
      assertEquals(200, after.status(), "the real key after the fuzz run, port " + port);
      assertEquals("unlimited", after.header("x-solo-plan"), "plan after the fuzz run");
    }
  }

  /** Issue 12 item 10, on the real listener: a request head over the size limit is 431. */
  @Test
  void theListenerAnswersAnOversizeHeaderBlock431() {
    start();
    RawHttp.Answer answer =
        RawHttp.send(
            listenerPort,
            new RawHttp.Request("GET", "/auth/check/petstore/pets")
                .header("Host", "127.0.0.1:" + listenerPort)
                .header("X-Padding", "a".repeat(20_000))
                .bytes(),
            30_000);
    assertEquals(431, answer.status(), "oversize head at the listener: " + answer.failure());
  }

  /**
   * HTTP/1.1 pipelining: the answers come in the order of the requests, also when the first needs
   * PostgreSQL (a key never seen) and the second is answered from memory (a key just used).
   */
  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    start();
    Key real = createKey("petstore", "unlimited", null);
    Random random = new Random();
    Pattern statusLine = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    for (int port : List.of(listenerPort, portalPort)) {
      RawHttp.Answer warm = RawHttp.send(port, checkRequest(port, real.value()).bytes(), 30_000);
      assertEquals(200, warm.status(), "the real key at port " + port);
      for (int i = 0; i < 10; i++) {
        byte[] unknownFirst =
            concat(
                checkRequest(port, SpecKeys.wellFormed(random, "kp")).keepAlive().bytes(),
                checkRequest(port, real.value()).bytes());
        Matcher statuses = statusLine.matcher(RawHttp.sendAll(port, unknownFirst, 30_000));
        List<String> order = new ArrayList<>();
        while (statuses.find()) {
          order.add(statuses.group(1));
        }
        assertEquals(
            List.of("401", "200"),
            order,
            "answers to an unknown key, then the real key, pipelined to port " + port);
      }
    }
  }

  /**
   * SPEC §11's IP allowlist: through each gateway a key passes from its own address only, whatever
   * X-Forwarded-For a client writes (the gateway sends what it saw connect); at both check fronts
   * X-Forwarded-For counts from a trusted proxy (DEFAULT trusts 127.0.0.1) and from no one else.
   */
  @Test
  void aKeyWithAnIpAllowlistPassesOnlyFromItsAddressesAndForwardedForOnlyFromTrustedProxies() {
    Key key = createKey("petstore", "unlimited", null);
    HttpResponse<String> listed =
        http()
            .api(
                "PATCH",
                "api/v1/api-keys/" + key.id(),
                DEV,
                PASSWORD,
                "{\"allowedCidrs\":[\"127.0.0.2\", \"2001:db8::/32\"]}");
    assertEquals(200, listed.statusCode(), listed.body());
    assertTrue(
        listed.body().contains("\"allowedCidrs\":[\"127.0.0.2/32\",\"2001:db8::/32\"]"),
        listed.body());
    forEachGateway(
        gateway -> {
          // The change reaches the check's cache through PostgreSQL's NOTIFY.
          int status = 0;
          for (int attempt = 0; attempt < 50 && status != 403; attempt++) {
            status = viaGatewayFrom("127.0.0.3", gateway, key, null).status();
            if (status != 403) {
              sleepMillis(100);
            }
          }
          assertEquals(403, status, gateway + " from an address off the allowlist");
          assertEquals(
              200,
              viaGatewayFrom("127.0.0.2", gateway, key, null).status(),
              gateway + " from 127.0.0.2");
          RawHttp.Answer forged = viaGatewayFrom("127.0.0.3", gateway, key, "127.0.0.2");
          assertEquals(403, forged.status(), gateway + " believed a client's X-Forwarded-For");
          assertTrue(forged.head().contains("ip_not_allowed"), gateway + ": " + forged.head());
        });
    for (int port : List.of(listenerPort, portalPort)) {
      assertEquals(
          200,
          checkFrom("127.0.0.1", port, key, "127.0.0.2").status(),
          "trusted proxy, port " + port);
      assertEquals(
          403,
          checkFrom("127.0.0.1", port, key, "127.0.0.3").status(),
          "trusted proxy, port " + port);
      assertEquals(
          200,
          checkFrom("127.0.0.2", port, key, "198.51.100.1").status(),
          "untrusted peer, port " + port);
      assertEquals(
          403,
          checkFrom("127.0.0.3", port, key, "127.0.0.2").status(),
          "untrusted peer, port " + port);
    }
  }

  private static RawHttp.Answer viaGatewayFrom(
      String from, GatewayProcess gateway, Key key, String forwardedFor) {
    RawHttp.Request request =
        new RawHttp.Request("GET", "/petstore/pets/" + marker())
            .header("Host", "127.0.0.1:" + gateway.port())
            .header("api-key", key.value());
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    return RawHttp.sendFrom(from, gateway.port(), request.bytes(), 30_000);
  }

  private static RawHttp.Answer checkFrom(String from, int port, Key key, String forwardedFor) {
    return RawHttp.sendFrom(
        from,
        port,
        checkRequest(port, key.value()).header("X-Forwarded-For", forwardedFor).bytes(),
        30_000);
  }

  // ---------------------------------------------------------------------------------------------

  private static RawHttp.Request checkRequest(int port, String key) {
    return new RawHttp.Request("GET", "/auth/check/petstore/pets")
        .header("Host", "127.0.0.1:" + port)
        .header("api-key", key);
  }

  private record NestedProducts(String outer, String inner) {}

  /** Two products of this run, the second nested in the first: /{outer}/ and /{outer}/v2/. */
  private NestedProducts nestedProducts() {
    String outer = "nest" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String inner = outer + "-v2";
    createProduct(outer, "/" + outer + "/");
    createProduct(inner, "/" + outer + "/v2/");
    return new NestedProducts(outer, inner);
  }

  private void createProduct(String slug, String prefix) {
    createProduct(slug, prefix, "unlimited");
  }

  private void createProduct(String slug, String prefix, String plan) {
    String body =
        "{\"id\":\""
            + slug
            + "\",\"displayName\":\"Gateways IT "
            + slug
            + "\",\"routes\":[{\"pathPrefix\":\""
            + prefix
            + "\"}],\"usagePlans\":[\""
            + plan
            + "\"]}";
    HttpResponse<String> created =
        http().api("POST", "api/v1/admin/api-products", ADMIN, ADMIN_PASSWORD, body);
    assertEquals(201, created.statusCode(), "creating product " + slug + ": " + created.body());
  }

  /** A raw GET through a gateway with the key in api-key, so no client tidies the path first. */
  private static RawHttp.Answer send(int port, String target, Key key) {
    return RawHttp.send(
        port,
        new RawHttp.Request("GET", target)
            .header("Host", "127.0.0.1:" + port)
            .header("api-key", key.value())
            .bytes(),
        30_000);
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Http http() {
    return new Http(base);
  }

  /** Runs {@code check} for every gateway in front of Keyport, reporting every one that fails. */
  private void forEachGateway(Consumer<GatewayProcess> check) {
    start();
    assertAll(gateways.stream().map(gateway -> (Executable) () -> check.accept(gateway)));
  }

  private void start() {
    synchronized (GatewaysIT.class) {
      if (startFailure != null) {
        throw startFailure;
      }
      if (gateways == null) {
        try {
          startServers();
        } catch (AssertionError | RuntimeException e) {
          startFailure = e instanceof AssertionError a ? a : new AssertionError(e.getMessage(), e);
          throw e;
        }
      }
    }
  }

  private void startServers() {
    // Before anything starts: a missing gateway fails every test with the package to install.
    GatewayProcess.binary("nginx", "nginx");
    GatewayProcess.binary("caddy", "caddy");
    listenerPort = keyport.checkPort();
    portalPort = base.getPort();
    try {
      upstream = running(EchoUpstream.start());
      String stub = running(new StubCheck()).address();
      String listener = "127.0.0.1:" + listenerPort;
      String portal = "127.0.0.1:" + portalPort;
      assertReachable(listener, "Keyport's check listener (keyport.check.port)");
      assertReachable(portal, "Keyport's portal port");
      String api = upstream.address();
      gateways =
          List.of(
              running(GatewayProcess.nginx("nginx -> check listener", listener, api)),
              running(GatewayProcess.nginx("nginx -> portal /auth/check", portal, api)),
              running(GatewayProcess.caddy("caddy -> check listener", listener, api)),
              running(GatewayProcess.caddy("caddy -> portal /auth/check", portal, api)));
      stubbedGateways =
          List.of(
              running(GatewayProcess.nginx("nginx -> stub check", stub, api)),
              running(GatewayProcess.caddy("caddy -> stub check", stub, api)));
    } catch (IOException e) {
      fail("The gateway test servers did not start: " + e.getMessage(), e);
    }
  }

  private static <T extends AutoCloseable> T running(T server) {
    RUNNING.add(server);
    return server;
  }

  private static void assertReachable(String address, String what) {
    String[] hostPort = address.split(":");
    RawHttp.Answer answer =
        RawHttp.send(
            Integer.parseInt(hostPort[1]),
            new RawHttp.Request("GET", "/auth/check").header("Host", address).bytes(),
            10_000);
    assertEquals(
        401, answer.status(), what + " at " + address + " did not answer: " + answer.failure());
  }

  private record Key(String id, String value) {}

  private Key createKey(String product, String plan, String metadataJson) {
    String body =
        "{\"apiKeyName\":\"gateway-"
            + UUID.randomUUID().toString().substring(0, 13)
            + "\",\"apiProduct\":\""
            + product
            + "\",\"usagePlan\":\""
            + plan
            + "\""
            + "}";
    HttpResponse<String> created = http().api("POST", "api/v1/api-keys", DEV, PASSWORD, body);
    assertEquals(201, created.statusCode(), "creating a key: " + created.body());
    Key key = new Key(field(created.body(), "id"), field(created.body(), "apiKey"));
    if (metadataJson != null) {
      // team becomes the trusted x-team header: an administrator sets it, never the key's owner.
      AdminKeys.setMetadata(http(), key.id(), metadataJson);
    }
    return key;
  }

  private static String field(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
    assertTrue(
        matcher.find(), "no " + name + " in " + json.replaceAll("\"apiKey\":\"[^\"]*\"", ""));
    return matcher.group(1);
  }

  /** Sets the key's expiry into the past before anything has used it. */
  private static void expire(Key key) {
    try (Connection db = TestDatabase.connect();
        PreparedStatement update =
            db.prepareStatement(
                "update api_key set expires_at = now() - interval '1 hour' where id = ?")) {
      update.setObject(1, UUID.fromString(key.id()));
      assertEquals(1, update.executeUpdate(), "expiring key " + key.id());
    } catch (SQLException e) {
      fail("PostgreSQL did not take the expiry: " + e.getMessage(), e);
    }
  }

  private static String marker() {
    return "m" + UUID.randomUUID().toString().replace("-", "");
  }

  private static String[] with(String[] headers, String... more) {
    return Stream.concat(Stream.of(headers), Stream.of(more)).toArray(String[]::new);
  }

  private static HttpResponse<String> get(GatewayProcess gateway, String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return fail(gateway + " did not answer " + path + ": " + e + "\n" + gateway.logTail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A request under {@code pathPrefix} is refused with {@code status} and Keyport's reason, and the
   * upstream never hears of it.
   */
  private static HttpResponse<String> assertDenied(
      GatewayProcess gateway, String pathPrefix, int status, String reason, String... headers) {
    String marker = marker();
    HttpResponse<String> response = get(gateway, pathPrefix + marker, headers);
    String context = gateway + ", " + reason + ": ";
    assertEquals(status, response.statusCode(), context + response.body());
    assertEquals(
        reason, response.headers().firstValue("x-keyport-deny").orElse(null), context + "reason");
    assertTrue(response.body().contains("\"error\":\"" + reason + "\""), context + response.body());
    if (status == 401) {
      assertEquals(
          "APIKey header=\"api-key\"",
          response.headers().firstValue("WWW-Authenticate").orElse(null),
          context + "challenge");
    }
    assertEquals(List.of(), upstream.requestsWith(marker), context + "the upstream was called");
    return response;
  }

  private static EchoUpstream.Seen onlyRequest(GatewayProcess gateway, String marker) {
    List<EchoUpstream.Seen> seen = upstream.requestsWith(marker);
    assertEquals(1, seen.size(), gateway + ": requests upstream with " + marker);
    return seen.get(0);
  }

  /** Exactly Keyport's values, each once; {@code team} empty when no x-team may arrive. */
  private static void assertIdentity(
      GatewayProcess gateway, EchoUpstream.Seen seen, Key key, String plan, List<String> team) {
    assertAll(
        () -> assertEquals(List.of(plan), seen.header("x-solo-plan"), gateway + ": x-solo-plan"),
        () -> assertEquals(List.of(DEV), seen.header("x-user-id"), gateway + ": x-user-id"),
        () ->
            assertEquals(
                List.of(key.id()), seen.header("x-api-key-id"), gateway + ": x-api-key-id"),
        () ->
            assertEquals(
                List.of("petstore"), seen.header("x-api-product"), gateway + ": x-api-product"),
        () -> assertEquals(team, seen.header("x-team"), gateway + ": x-team"));
  }

  private static void assertNoUnderscoreAliases(GatewayProcess gateway, EchoUpstream.Seen seen) {
    for (String header : IDENTITY_HEADERS) {
      String alias = header.replace('-', '_');
      assertEquals(List.of(), seen.header(alias), gateway + " passed the client's " + alias);
    }
  }

  /** The key with one character changed, so its checksum no longer matches. */
  private static String oneOff(String key) {
    char[] chars = key.toCharArray();
    int at = key.indexOf('_') + 1;
    chars[at] = chars[at] == 'A' ? 'B' : 'A';
    return new String(chars);
  }

  private static RawHttp.Answer outcome(Future<RawHttp.Answer> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      return new RawHttp.Answer(0, "", "client error: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stands in for Keyport where it cannot yet answer as asked: 429 with Retry-After and 503, as
   * SPEC §3 describes them, chosen by the api-key header's value.
   */
  private static final class StubCheck implements AutoCloseable {
    private final HttpServer server;

    StubCheck() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.createContext(
          "/",
          exchange -> {
            String key = String.valueOf(exchange.getRequestHeaders().getFirst("api-key"));
            int status;
            String error;
            String retryAfter = null;
            switch (key) {
              case "stub-rate-limited" -> {
                status = 429;
                error = "rate_limited";
                retryAfter = "7";
              }
              case "stub-quota-exceeded" -> {
                status = 429;
                error = "quota_exceeded";
                retryAfter = "86400";
              }
              case "stub-unavailable" -> {
                status = 503;
                error = "unavailable";
              }
              default -> {
                status = 401;
                error = "missing_api_key";
                exchange.getResponseHeaders().set("WWW-Authenticate", "APIKey header=\"api-key\"");
              }
            }
            byte[] body = ("{\"error\":\"" + error + "\"}").getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("x-keyport-deny", error);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (retryAfter != null) {
              exchange.getResponseHeaders().set("Retry-After", retryAfter);
            }
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    }

    String address() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
