package io.keyport.e2e;

import static io.keyport.testsupport.CheckRequestBytes.concat;
import static io.keyport.testsupport.CheckRequestBytes.header;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.rpc.Code;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.keyport.it.SpecKeys;
import io.keyport.it.TestDatabase;
import io.keyport.testsupport.AdminKeys;
import io.keyport.testsupport.EnvoyCalls;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Shared;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The gRPC check (SPEC §9) as Envoy calls it, with a client built from Envoy's own generated stubs:
 * every outcome of SPEC §3 and its mapping, the header changes, dynamic metadata, health,
 * deadlines, many callers at once, a fuzz run, and the same answers as the HTTP listener for the
 * same requests.
 */
@ResourceLock(Locks.DATABASE_LINK)
@ExtendWith(KeyportServers.class)
class GrpcCheckIT {

  private static final String DEV = "dev@example.com";
  private static final String PASSWORD = "dev";
  private static final long CALL_SECONDS = 30;
  private static final int FUZZ_REQUESTS = 20_000;
  private static final int FUZZ_THREADS = 8;

  /** Check requests as raw bytes, so the fuzz can send what the generated builders refuse. */
  private static final MethodDescriptor<byte[], CheckResponse> RAW_CHECK = EnvoyCalls.RAW_CHECK;

  @Shared static KeyportServer node;

  @Shared URL base;

  private static final List<ManagedChannel> CHANNELS = new ArrayList<>();

  @AfterAll
  static void closeChannels() throws InterruptedException {
    for (ManagedChannel channel : CHANNELS) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ---- outcomes ----------------------------------------------------------------------------

  @Test
  void anAllowedKeyIsOkWithItsHeadersOverwritingTheClientsTheKeyRemovedAndDynamicMetadata() {
    Http http = new Http(base);
    Key key = createKey(http, "petstore", "gold");
    AdminKeys.setMetadata(http, key.id(), "{\"team\":\"payments\"}");
    CheckResponse answer =
        check(
            request("GET", "/petstore/pets?limit=1")
                .header("api-key", key.value())
                .header("x-solo-plan", "unlimited")
                .header("x-api-product", "tracks")
                .header("x-team", "admins"));

    assertEquals(Code.OK_VALUE, answer.getStatus().getCode(), answer.toString());
    assertTrue(answer.hasOkResponse(), answer.toString());
    OkHttpResponse ok = answer.getOkResponse();
    Map<String, String> upstream = headers(ok.getHeadersList());
    assertAll(
        () -> assertEquals("gold", upstream.get("x-solo-plan")),
        () -> assertEquals(DEV, upstream.get("x-user-id")),
        () -> assertEquals(key.id(), upstream.get("x-api-key-id")),
        () -> assertEquals("petstore", upstream.get("x-api-product")),
        () -> assertEquals("payments", upstream.get("x-team")),
        () -> assertEquals("5", upstream.get("ratelimit-limit")),
        () -> assertEquals(List.of("api-key"), ok.getHeadersToRemoveList()),
        () ->
            assertTrue(
                ok.getHeadersList().stream()
                    .allMatch(
                        h ->
                            h.getAppendAction()
                                    == HeaderValueOption.HeaderAppendAction
                                        .OVERWRITE_IF_EXISTS_OR_ADD
                                && !h.hasAppend()),
                "every header overwrites the client's: " + ok.getHeadersList()));
    Map<String, String> toClient = headers(ok.getResponseHeadersToAddList());
    assertEquals("5", toClient.get("ratelimit-limit"));
    assertEquals("4", toClient.get("ratelimit-remaining"));
    assertTrue(toClient.containsKey("ratelimit-reset"), toClient.toString());
    assertEquals(3, toClient.size(), "only the RateLimit headers go to the client: " + toClient);
    Map<String, String> metadata = new HashMap<>();
    answer
        .getDynamicMetadata()
        .getFieldsMap()
        .forEach((name, value) -> metadata.put(name, value.getStringValue()));
    assertEquals(
        Map.of("plan", "gold", "user", DEV, "apiKeyId", key.id(), "apiProduct", "petstore"),
        metadata);
  }

  @Test
  void aHeaderTheKeyDoesNotSetIsRemovedAndABearerKeysAuthorizationToo() {
    Http http = new Http(base);
    Key key = createKey(http, "petstore", "unlimited");
    CheckResponse answer =
        check(
            request("POST", "/petstore/orders")
                .header("authorization", "Bearer " + key.value())
                .header("x-team", "admins"));
    assertEquals(Code.OK_VALUE, answer.getStatus().getCode(), answer.toString());
    OkHttpResponse ok = answer.getOkResponse();
    assertTrue(ok.getHeadersToRemoveList().contains("authorization"), ok.toString());
    assertTrue(ok.getHeadersToRemoveList().contains("x-team"), ok.toString());
    assertFalse(headers(ok.getHeadersList()).containsKey("x-team"));
    assertEquals("unlimited", headers(ok.getHeadersList()).get("x-solo-plan"));
    assertEquals(0, ok.getResponseHeadersToAddCount(), "no rate limit, no RateLimit headers");
  }

  @Test
  void missingMalformedUnknownAndRevokedKeysAreUnauthenticated401() {
    Http http = new Http(base);
    Key revoked = createKey(http, "petstore", "unlimited");
    assertEquals(Code.OK_VALUE, check(petstore(revoked.value())).getStatus().getCode());
    HttpResponse<String> deleted =
        http.api("DELETE", "api/v1/api-keys/" + revoked.id(), DEV, PASSWORD, null);
    assertEquals(204, deleted.statusCode(), deleted.body());

    assertDenied(check(request("GET", "/petstore/pets")), 401, "missing_api_key");
    assertDenied(check(petstore("kp_short")), 401, "invalid_api_key");
    assertDenied(check(petstore(SpecKeys.unknown())), 401, "invalid_api_key");
    CheckResponse afterRevocation = check(petstore(revoked.value()));
    for (int i = 0; i < 40 && afterRevocation.getStatus().getCode() == Code.OK_VALUE; i++) {
      sleep(250);
      afterRevocation = check(petstore(revoked.value()));
    }
    assertDenied(afterRevocation, 401, "invalid_api_key");
    assertEquals(
        "APIKey header=\"api-key\"",
        headers(afterRevocation.getDeniedResponse().getHeadersList()).get("www-authenticate"));
  }

  @Test
  void aRouteOfAnotherProductIsPermissionDenied403() {
    Key key = createKey(new Http(base), "petstore", "unlimited");
    assertDenied(
        check(request("GET", "/trackapi/tracks").header("api-key", key.value())),
        403,
        "route_not_allowed");
  }

  @Test
  void overTheRateLimitOrTheQuotaIsResourceExhausted429WithRetryAfter() throws Exception {
    Http http = new Http(base);
    Key bronze = createKey(http, "petstore", "bronze");
    assertEquals(Code.OK_VALUE, check(petstore(bronze.value())).getStatus().getCode());
    CheckResponse limited = check(petstore(bronze.value()));
    assertDenied(limited, 429, "rate_limited");
    Map<String, String> headers = headers(limited.getDeniedResponse().getHeadersList());
    long retryAfter = Long.parseLong(headers.get("retry-after"));
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertEquals("0", headers.get("ratelimit-remaining"));

    String product = "grpc-quota-" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(product, "monthly_quota", "1");
    try {
      Key quota = createKey(http, product, product);
      String path = "/" + product + "/items";
      CheckResponse first = check(request("GET", path).header("api-key", quota.value()));
      assertEquals(Code.OK_VALUE, first.getStatus().getCode(), first.toString());
      assertDenied(
          check(request("GET", path).header("api-key", quota.value())), 429, "quota_exceeded");
    } finally {
      TestDatabase.retireProduct(product);
    }
  }

  @Test
  void anUncachedKeyWithTheDatabaseUnreachableIsUnavailable503NeverOk() throws IOException {
    Key cached = createKey(new Http(base), "petstore", "unlimited");
    assertEquals(Code.OK_VALUE, check(petstore(cached.value())).getStatus().getCode());
    TestDatabase.cutKeyportOff();
    try {
      assertDenied(check(petstore(SpecKeys.unknown())), 503, "unavailable");
    } finally {
      TestDatabase.reconnectKeyport();
    }
  }

  // ---- health, deadlines, concurrency ------------------------------------------------------

  @Test
  void healthSaysServingForTheServerAndForTheAuthorizationService() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel()).withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
    for (String service : List.of("", AuthorizationGrpc.SERVICE_NAME)) {
      assertEquals(
          HealthCheckResponse.ServingStatus.SERVING,
          health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(),
          "service '" + service + "'");
    }
  }

  /**
   * Calls whose deadline is too short for a database lookup end as DEADLINE_EXCEEDED or with the
   * right answer, never anything else, and the server keeps answering afterwards.
   */
  @Test
  void aCallPastItsDeadlineEndsDeadlineExceededAndNothingElseBreaks() {
    Key key = createKey(new Http(base), "petstore", "unlimited");
    AuthorizationGrpc.AuthorizationBlockingStub stub = AuthorizationGrpc.newBlockingStub(channel());
    int exceeded = 0;
    for (int i = 0; i < 200; i++) {
      // Unknown keys are never cached: each one goes to the workers and PostgreSQL.
      CheckRequest unknown = petstore(SpecKeys.unknown()).build();
      try {
        CheckResponse answer =
            stub.withDeadlineAfter(1 + (i % 50) * 20, TimeUnit.MICROSECONDS).check(unknown);
        assertDenied(answer, 401, "invalid_api_key");
      } catch (StatusRuntimeException e) {
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
        exceeded++;
      }
    }
    assertTrue(exceeded > 0, "no call was shorter than its check: no deadline was tested");
    assertEquals(Code.OK_VALUE, check(petstore(key.value())).getStatus().getCode());
  }

  @Test
  void sixtyFourCallersAtOnceEachGetTheAnswerForTheirOwnKey() throws Exception {
    Http http = new Http(base);
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      keys.add(createKey(http, "petstore", "unlimited"));
    }
    List<ManagedChannel> channels = List.of(channel(), newChannel(), newChannel(), newChannel());
    ExecutorService callers = Executors.newFixedThreadPool(64);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int caller = 0; caller < 64; caller++) {
        int me = caller;
        results.add(
            callers.submit(
                () -> {
                  AuthorizationGrpc.AuthorizationBlockingStub stub =
                      AuthorizationGrpc.newBlockingStub(channels.get(me % channels.size()));
                  Key key = keys.get(me % keys.size());
                  for (int i = 0; i < 50; i++) {
                    boolean allowed = (i + me) % 3 != 0;
                    String value = allowed ? key.value() : SpecKeys.unknown();
                    CheckResponse answer =
                        stub.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
                            .check(petstore(value).build());
                    if (allowed
                        ? !key.id()
                            .equals(
                                headers(answer.getOkResponse().getHeadersList())
                                    .get("x-api-key-id"))
                        : answer.getStatus().getCode() != Code.UNAUTHENTICATED_VALUE) {
                      return "caller " + me + " call " + i + ": " + answer;
                    }
                  }
                  return null;
                }));
      }
      for (Future<String> result : results) {
        String wrong = result.get(5, TimeUnit.MINUTES);
        if (wrong != null) {
          fail(wrong);
        }
      }
    } finally {
      callers.shutdownNow();
    }
  }

  // ---- fuzz --------------------------------------------------------------------------------

  /**
   * Generated CheckRequests: attributes missing, huge header maps, binary and non-UTF-8 values, odd
   * methods and paths, keys one character off the real one. Never OK without the real key, never a
   * gRPC INTERNAL or UNKNOWN; the real key still passes afterwards.
   */
  @Test
  void fuzzedCheckRequestsAreNeverOkWithoutTheKeyNorAnInternalError() throws Exception {
    Key key = createKey(new Http(base), "petstore", "unlimited");
    long seed = new Random().nextLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger tooLarge = new AtomicInteger();
    AtomicInteger notProtobuf = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(FUZZ_THREADS);
    List<ManagedChannel> channels = List.of(channel(), newChannel());
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < FUZZ_THREADS; t++) {
        int thread = t;
        runs.add(
            threads.submit(
                (Callable<Void>)
                    () -> {
                      Random random = new Random(seed + thread);
                      ManagedChannel channel = channels.get(thread % channels.size());
                      for (int i = thread; i < FUZZ_REQUESTS; i += FUZZ_THREADS) {
                        Fuzzed fuzzed = Fuzzed.generate(random, key.value());
                        try {
                          CheckResponse answer =
                              ClientCalls.blockingUnaryCall(
                                  channel,
                                  RAW_CHECK,
                                  CallOptions.DEFAULT.withDeadlineAfter(
                                      CALL_SECONDS, TimeUnit.SECONDS),
                                  fuzzed.bytes());
                          if (answer.getStatus().getCode() == Code.OK_VALUE
                              && !fuzzed.carriesTheKey()) {
                            failures.add("OK without the key: " + fuzzed + " -> " + answer);
                          }
                          if (answer.getStatus().getCode() != Code.OK_VALUE
                              && !answer.hasDeniedResponse()) {
                            failures.add("a denial without a denied_response: " + fuzzed);
                          }
                        } catch (StatusRuntimeException e) {
                          Status.Code code = e.getStatus().getCode();
                          if (code == Status.Code.RESOURCE_EXHAUSTED && fuzzed.huge()) {
                            tooLarge.incrementAndGet();
                          } else if (code == Status.Code.INVALID_ARGUMENT && fuzzed.garbage()) {
                            notProtobuf.incrementAndGet();
                          } else {
                            failures.add(
                                code + " " + e.getStatus().getDescription() + ": " + fuzzed);
                          }
                        }
                        if (failures.size() > 20) {
                          return null;
                        }
                      }
                      return null;
                    }));
      }
      for (Future<?> run : runs) {
        run.get(15, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n", failures));
    assertTrue(tooLarge.get() > 0, "the fuzz sent no request over the message size limit");
    assertEquals(
        Code.OK_VALUE,
        check(petstore(key.value())).getStatus().getCode(),
        "the real key no longer passes after the fuzz (seed " + seed + ")");
  }

  /** One generated request and what the fuzz knows about it. */
  private record Fuzzed(
      byte[] bytes, boolean carriesTheKey, boolean huge, boolean garbage, String description) {

    private static final String[] METHODS = {
      "GET",
      "POST",
      "get",
      "",
      "CONNECT",
      "TRACE",
      "OPTIONS",
      "PURGE",
      "G E T",
      "GET\r\nX: y",
      "\u00e9",
      "DELETE",
      "PATCH",
      "HEAD"
    };
    private static final String[] PATHS = {
      "/petstore/pets",
      "/petstore/",
      "/petstore",
      "",
      "*",
      "petstore/pets",
      "//petstore/pets",
      "/petstore/../trackapi/tracks",
      "/petstore/%2e%2e/trackapi",
      "/trackapi/tracks",
      "/PETSTORE/pets",
      "/petstore/pets?x=/../../",
      "/petstore/pets#frag",
      "/petstore/%00",
      "/petstore/\u00fc\u00e9",
      "/petstore/pets;jsessionid=1",
      "?only=query",
      "/%2fpetstore/",
      "/petstore/" + "a".repeat(9000),
      "http://evil.example/petstore/pets",
      "/\\petstore\\pets"
    };

    static Fuzzed generate(Random random, String realKey) throws IOException {
      StringBuilder description = new StringBuilder();
      AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder();
      int shape = random.nextInt(20);
      boolean withAttributes = shape != 0;
      boolean withHttp = shape != 1;
      if (random.nextInt(8) != 0) {
        http.setMethod(METHODS[random.nextInt(METHODS.length)]);
      }
      if (random.nextInt(8) != 0) {
        http.setPath(PATHS[random.nextInt(PATHS.length)]);
      }
      if (random.nextBoolean()) {
        http.setHost(random.nextBoolean() ? "gateway.example" : "h\u00f6st:99999");
      }
      description.append(http.getMethod()).append(' ').append(http.getPath());
      String keyValue = null;
      boolean carriesTheKey = false;
      switch (random.nextInt(6)) {
        case 0 -> keyValue = null;
        case 1 -> {
          keyValue = realKey;
          carriesTheKey = true;
        }
        case 2, 3 -> keyValue = oneOff(random, realKey);
        case 4 -> keyValue = SpecKeys.wellFormed(random);
        default -> keyValue = new String(randomBytes(random, 40), StandardCharsets.ISO_8859_1);
      }
      if (keyValue != null) {
        boolean bearer = random.nextInt(4) == 0;
        http.putHeaders(
            bearer ? "authorization" : (random.nextInt(6) == 0 ? "API-KEY" : "api-key"),
            bearer ? "Bearer " + keyValue : keyValue);
        description.append(bearer ? " bearer " : " key ").append(keyValue.length());
        // Mixed-case names are not what Envoy sends; a key under one is not read as the key.
      }
      int headerCount = random.nextInt(10) == 0 ? 200 + random.nextInt(2000) : random.nextInt(8);
      for (int h = 0; h < headerCount; h++) {
        http.putHeaders(
            "x-fuzz-" + h, "v".repeat(random.nextInt(random.nextInt(10) == 0 ? 4000 : 40)));
      }
      if (random.nextInt(10) == 0) {
        http.putHeaders("x-forwarded-uri", "/petstore/pets");
        http.putHeaders("x-original-method", "GET");
      }
      AttributeContext.Builder attributes = AttributeContext.newBuilder();
      if (withHttp) {
        attributes.setRequest(AttributeContext.Request.newBuilder().setHttp(http));
      }
      CheckRequest.Builder request = CheckRequest.newBuilder();
      if (withAttributes) {
        request.setAttributes(attributes);
      }
      byte[] bytes = request.build().toByteArray();
      if (random.nextInt(5) == 0) {
        // Non-UTF-8 bytes, as HTTP allows in a value and Envoy forwards.
        String name = random.nextInt(3) == 0 ? "api-key" : "x-binary";
        bytes = concat(bytes, header(name, randomBytes(random, 1 + random.nextInt(64))));
        description.append(" binary ").append(name);
        if (name.equals("api-key")) {
          // The map's last entry wins: the real key, if any, is replaced by bytes.
          carriesTheKey = carriesTheKey && http.getHeadersMap().containsKey("authorization");
        }
      }
      if (shape == 2) {
        bytes = concat(bytes, randomBytes(random, 1 + random.nextInt(20)));
        description.append(" trailing-garbage");
      }
      // Over keyport.check.grpc-max-message-size (64 KiB on the test node): RESOURCE_EXHAUSTED.
      boolean huge = bytes.length > 65_536;
      return new Fuzzed(
          bytes,
          carriesTheKey && withAttributes && withHttp,
          huge,
          shape == 2,
          description.toString());
    }

    private static String oneOff(Random random, String key) {
      StringBuilder off = new StringBuilder(key);
      int at = random.nextInt(key.length());
      switch (random.nextInt(4)) {
        case 0 -> off.setCharAt(at, key.charAt(at) == 'a' ? 'b' : 'a');
        case 1 -> off.deleteCharAt(at);
        case 2 -> off.insert(at, SpecKeys.BASE62.charAt(random.nextInt(62)));
        default -> {
          char c = key.charAt(at);
          off.setCharAt(
              at,
              Character.isLetter(c)
                  ? (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c))
                  : (c == '0' ? '1' : '0'));
        }
      }
      return off.toString();
    }

    @Override
    public String toString() {
      return description + " (" + bytes.length + " bytes)";
    }
  }

  // ---- same answers as the HTTP listener ---------------------------------------------------

  /** One row: a request as a gateway would send it, to both fronts. */
  private record Row(String method, String path, String keyHeader, String keyValue) {}

  @Test
  void theHttpListenerAndGrpcGiveTheSameStatusAndDenyWordForEachRequest() {
    Http http = new Http(base);
    Key key = createKey(http, "petstore", "unlimited");
    Key deleted = createKey(http, "petstore", "unlimited");
    assertEquals(
        204,
        http.api("DELETE", "api/v1/api-keys/" + deleted.id(), DEV, PASSWORD, null).statusCode());
    String unknown = SpecKeys.unknown();
    List<Row> table =
        List.of(
            new Row("GET", "/petstore/pets", "api-key", key.value()),
            new Row("GET", "/petstore/pets", null, null),
            new Row("GET", "/petstore/pets", "api-key", ""),
            new Row("GET", "/petstore/pets", "api-key", "kp_short"),
            new Row("GET", "/petstore/pets", "api-key", key.value() + "x"),
            new Row("GET", "/petstore/pets", "api-key", unknown),
            new Row("GET", "/petstore/pets", "api-key", deleted.value()),
            new Row("GET", "/petstore/pets", "authorization", "Bearer " + key.value()),
            new Row("GET", "/petstore/pets", "authorization", "bearer " + key.value()),
            new Row("GET", "/petstore/pets", "authorization", "Basic " + key.value()),
            new Row("GET", "/trackapi/tracks", "api-key", key.value()),
            new Row("DELETE", "/petstore/pets/1", "api-key", key.value()),
            new Row("POST", "/petstore/orders?x=1", "api-key", key.value()),
            new Row("GET", "/petstore/pets?next=/trackapi/", "api-key", key.value()),
            new Row("GET", "/PETSTORE/pets", "api-key", key.value()),
            new Row("GET", "/petstore/../trackapi/tracks", "api-key", key.value()),
            new Row("GET", "/petstore/%2e%2e/trackapi/tracks", "api-key", key.value()),
            new Row("GET", "/petstore/%2E%2E/trackapi", "api-key", key.value()),
            new Row("GET", "/petstore%2ftracks", "api-key", key.value()),
            new Row("GET", "//petstore/pets", "api-key", key.value()),
            new Row("GET", "/petstore/./pets", "api-key", key.value()),
            new Row("GET", "/petstore/pets%00", "api-key", key.value()),
            new Row("GET", "/petstore", "api-key", key.value()),
            new Row("GET", "/", "api-key", key.value()),
            new Row("GET", "/trackapi/tracks", null, null));
    List<String> differences = new ArrayList<>();
    for (Row row : table) {
      RawHttp.Request listener =
          new RawHttp.Request(row.method(), "/auth/check" + row.path())
              .header("Host", "gateway.example");
      AttributeContext.HttpRequest.Builder grpc =
          AttributeContext.HttpRequest.newBuilder()
              .setMethod(row.method())
              .setPath(row.path())
              .setHost("gateway.example");
      if (row.keyHeader() != null) {
        listener.header(row.keyHeader(), row.keyValue());
        grpc.putHeaders(row.keyHeader(), row.keyValue());
      }
      RawHttp.Answer overHttp = RawHttp.send(listenerPort(), listener.bytes(), 15_000);
      CheckResponse overGrpc =
          check(
              CheckRequest.newBuilder()
                  .setAttributes(
                      AttributeContext.newBuilder()
                          .setRequest(AttributeContext.Request.newBuilder().setHttp(grpc)))
                  .build());
      int grpcStatus =
          overGrpc.hasDeniedResponse()
              ? overGrpc.getDeniedResponse().getStatus().getCodeValue()
              : overGrpc.getStatus().getCode() == Code.OK_VALUE ? 200 : -1;
      String grpcWord =
          overGrpc.hasDeniedResponse()
              ? headers(overGrpc.getDeniedResponse().getHeadersList()).get("x-keyport-deny")
              : null;
      String httpWord = overHttp.header("x-keyport-deny");
      if (overHttp.status() != grpcStatus || !java.util.Objects.equals(httpWord, grpcWord)) {
        differences.add(
            row.method()
                + " "
                + row.path()
                + " "
                + row.keyHeader()
                + ": HTTP "
                + overHttp.status()
                + " "
                + httpWord
                + " "
                + overHttp.failure()
                + ", gRPC "
                + grpcStatus
                + " "
                + grpcWord);
      }
      if (grpcStatus != 200) {
        assertEquals(
            GrpcCodes.forStatus(grpcStatus),
            overGrpc.getStatus().getCode(),
            "gRPC code for " + grpcStatus + ": " + row);
      }
    }
    assertEquals(List.of(), differences);
  }

  /** SPEC §9's gRPC code per §3 status, written out from the SPEC. */
  private static final class GrpcCodes {
    static int forStatus(int status) {
      return switch (status) {
        case 401 -> 16;
        case 403 -> 7;
        case 429 -> 8;
        case 503 -> 14;
        default -> throw new AssertionError("no §3 status: " + status);
      };
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private record Key(String id, String value) {}

  private static Key createKey(Http http, String product, String plan) {
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            DEV,
            PASSWORD,
            "{\"apiKeyName\":\"grpc-"
                + UUID.randomUUID()
                + "\",\"apiProduct\":\""
                + product
                + "\",\"usagePlan\":\""
                + plan
                + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    jakarta.json.JsonObject json =
        jakarta.json.Json.createReader(new java.io.StringReader(created.body())).readObject();
    return new Key(json.getString("id"), json.getString("apiKey"));
  }

  /** A request being built, as Envoy fills {@code attributes.request.http}. */
  private static final class Built {
    private final AttributeContext.HttpRequest.Builder http;

    Built(String method, String path) {
      http =
          AttributeContext.HttpRequest.newBuilder()
              .setMethod(method)
              .setPath(path)
              .setHost("gateway.example")
              .putHeaders(":authority", "gateway.example")
              .putHeaders("user-agent", "GrpcCheckIT");
    }

    Built header(String name, String value) {
      http.putHeaders(name, value);
      return this;
    }

    CheckRequest build() {
      return CheckRequest.newBuilder()
          .setAttributes(
              AttributeContext.newBuilder()
                  .setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
          .build();
    }
  }

  private static Built request(String method, String path) {
    return new Built(method, path);
  }

  private static Built petstore(String key) {
    return request("GET", "/petstore/pets").header("api-key", key);
  }

  private CheckResponse check(Built request) {
    return check(request.build());
  }

  private CheckResponse check(CheckRequest request) {
    return AuthorizationGrpc.newBlockingStub(channel())
        .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
        .check(request);
  }

  private static void assertDenied(CheckResponse answer, int status, String word) {
    assertTrue(answer.hasDeniedResponse(), answer.toString());
    assertFalse(answer.hasOkResponse(), answer.toString());
    DeniedHttpResponse denied = answer.getDeniedResponse();
    Map<String, String> headers = headers(denied.getHeadersList());
    assertAll(
        () -> assertEquals(status, denied.getStatus().getCodeValue(), answer.toString()),
        () -> assertEquals(GrpcCodes.forStatus(status), answer.getStatus().getCode()),
        () -> assertNotEquals(Code.OK_VALUE, answer.getStatus().getCode()),
        () -> assertEquals(word, headers.get("x-keyport-deny")),
        () -> assertEquals("{\"error\":\"" + word + "\"}", denied.getBody()),
        () -> assertEquals("application/json", headers.get("content-type")),
        () -> assertEquals(status == 401, headers.containsKey("www-authenticate"), "challenge"),
        () -> assertEquals(status == 429, headers.containsKey("retry-after"), "Retry-After"));
  }

  private static Map<String, String> headers(List<HeaderValueOption> options) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (HeaderValueOption option : options) {
      String previous = headers.put(option.getHeader().getKey(), option.getHeader().getValue());
      assertEquals(null, previous, "header given twice: " + option.getHeader().getKey());
    }
    return headers;
  }

  private static synchronized ManagedChannel channel() {
    if (CHANNELS.isEmpty()) {
      newChannel();
    }
    return CHANNELS.get(0);
  }

  private static synchronized ManagedChannel newChannel() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort()).usePlaintext().build();
    CHANNELS.add(channel);
    return channel;
  }

  /** The gRPC check's port on the node ({@code keyport.check.grpc-port}). */
  private static int grpcPort() {
    return node.grpcPort();
  }

  /** The HTTP check listener's port on the node ({@code keyport.check.port}). */
  private static int listenerPort() {
    return node.checkPort();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
