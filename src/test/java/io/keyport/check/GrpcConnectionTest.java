package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.keyport.testsupport.EnvoyCalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC's HTTP/2 protocol as {@link GrpcConnection} serves it, from grpc-java's own client: the
 * methods, health and its watch, gzip, the message size limit, what is not a message, and many
 * calls in flight on one connection. No container: the check answers from memory, and what would
 * need PostgreSQL is 503.
 */
class GrpcConnectionTest {

  private static final int CALL_SECONDS = 10;

  private static GrpcCheckServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws IOException {
    server = GrpcCheckServer.standalone(AuthCheck.configured("api-key", null), 0, null, null);
    server.start();
    channel = plaintext(server);
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void aCheckWithoutAKeyIsAnsweredUnauthenticatedWithTheDeniedResponse() {
    CheckResponse answer = check().check(request(null));
    assertEquals(Code.UNAUTHENTICATED_VALUE, answer.getStatus().getCode());
    assertEquals(401, answer.getDeniedResponse().getStatus().getCodeValue());
  }

  @Test
  void aWellFormedKeyTheCheckCannotLookUpIsUnavailable503NeverOk() {
    CheckResponse answer = check().check(request("kp_" + "a".repeat(40)));
    assertTrue(answer.getStatus().getCode() != Code.OK_VALUE, answer.toString());
    assertTrue(answer.hasDeniedResponse(), answer.toString());
  }

  @Test
  void aGzippedCallIsReadLikeAnyOther() {
    CheckResponse answer = check().withCompression("gzip").check(request(null));
    assertEquals(401, answer.getDeniedResponse().getStatus().getCodeValue());
  }

  @Test
  void healthIsServingForTheServerAndTheAuthorizationServiceAndNotFoundForAnother() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
    assertEquals(
        ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    assertEquals(
        ServingStatus.SERVING,
        health
            .check(
                HealthCheckRequest.newBuilder().setService(AuthorizationGrpc.SERVICE_NAME).build())
            .getStatus());
    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () -> health.check(HealthCheckRequest.newBuilder().setService("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void aMethodThisPortDoesNotServeIsUnimplementedAndSaysWhatItServes() {
    MethodDescriptor<byte[], byte[]> other =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("envoy.service.auth.v2.Authorization/Check")
            .setRequestMarshaller(new EnvoyCalls.RawBytes())
            .setResponseMarshaller(new EnvoyCalls.RawBytes())
            .build();
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    other,
                    CallOptions.DEFAULT.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS),
                    new byte[0]));
    assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("/envoy.service.auth.v3.Authorization/Check"),
        refused.getStatus().getDescription());
  }

  @Test
  void aMessageOverTheSizeLimitIsResourceExhaustedAndTheConnectionServesOn() {
    CheckRequest huge =
        CheckRequest.newBuilder()
            .setAttributes(
                AttributeContext.newBuilder()
                    .setRequest(
                        AttributeContext.Request.newBuilder()
                            .setHttp(
                                AttributeContext.HttpRequest.newBuilder()
                                    .setMethod("GET")
                                    .setPath("/petstore/pets")
                                    .putHeaders("x-big", "v".repeat(200_000)))))
            .build();
    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> check().check(huge));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("keyport.check.grpc-max-message-size"),
        refused.getStatus().getDescription());
    assertEquals(401, check().check(request(null)).getDeniedResponse().getStatus().getCodeValue());
  }

  /**
   * grpc-java's client enforces the server's header-list limit itself and never sends such a call;
   * curl (nghttp2) sends it, as a gateway that does not read the limit would.
   */
  @Test
  void callHeadersOverTheHeaderLimitAre431ResourceExhausted() throws Exception {
    String output =
        curl(
            "-X",
            "POST",
            "-H",
            "content-type: application/grpc",
            "-H",
            "x-big: " + "v".repeat(17_000),
            "--data-binary",
            "",
            "-D",
            "-",
            "http://127.0.0.1:"
                + server.boundPort()
                + "/envoy.service.auth.v3.Authorization/Check");
    assertTrue(output.endsWith("\n431"), output);
    assertTrue(output.contains("grpc-status: 8"), output);
    assertEquals(401, check().check(request(null)).getDeniedResponse().getStatus().getCodeValue());
  }

  @Test
  void bytesThatAreNotACheckRequestAreInvalidArgument() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    AuthorizationGrpc.getCheckMethod().toBuilder(
                            new EnvoyCalls.RawBytes(),
                            AuthorizationGrpc.getCheckMethod().getResponseMarshaller())
                        .build(),
                    CallOptions.DEFAULT.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS),
                    new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0x01}));
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
  }

  @Test
  void twoThousandCallsInFlightOnOneConnectionEachGetTheirAnswer() throws Exception {
    AuthorizationGrpc.AuthorizationFutureStub stub =
        AuthorizationGrpc.newFutureStub(channel).withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
    List<com.google.common.util.concurrent.ListenableFuture<CheckResponse>> calls =
        new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      calls.add(stub.check(i % 2 == 0 ? request(null) : request("not-a-key-" + i)));
    }
    for (int i = 0; i < calls.size(); i++) {
      CheckResponse answer = calls.get(i).get(CALL_SECONDS, TimeUnit.SECONDS);
      assertEquals(401, answer.getDeniedResponse().getStatus().getCodeValue(), "call " + i);
    }
  }

  @Test
  void aRequestThatIsNotGrpcIsAnswered415WithWhatThePortServes() throws Exception {
    String output = curl("http://127.0.0.1:" + server.boundPort() + "/petstore/pets");
    assertTrue(output.endsWith("\n415"), output);
    assertTrue(output.contains("application/grpc"), output);
  }

  @Test
  void aWatchHearsServingThenNotServingWhenTheServerStops() throws Exception {
    GrpcCheckServer own =
        GrpcCheckServer.standalone(AuthCheck.configured("api-key", null), 0, null, null);
    own.start();
    ManagedChannel watching = plaintext(own);
    try {
      BlockingQueue<ServingStatus> heard = new LinkedBlockingQueue<>();
      CompletableFuture<Status> ended = new CompletableFuture<>();
      HealthGrpc.newStub(watching)
          .watch(
              HealthCheckRequest.getDefaultInstance(),
              new StreamObserver<>() {
                @Override
                public void onNext(HealthCheckResponse value) {
                  heard.add(value.getStatus());
                }

                @Override
                public void onError(Throwable t) {
                  ended.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  ended.complete(Status.OK);
                }
              });
      assertEquals(ServingStatus.SERVING, heard.poll(CALL_SECONDS, TimeUnit.SECONDS));
      own.stop();
      assertEquals(ServingStatus.NOT_SERVING, heard.poll(CALL_SECONDS, TimeUnit.SECONDS));
      assertEquals(Status.Code.OK, ended.get(CALL_SECONDS, TimeUnit.SECONDS).getCode());
    } finally {
      watching.shutdownNow();
      own.stop();
    }
  }

  @Test
  void aConnectionOverTheCapHasItsCallsRefusedUnavailableAndTheOnesAdmittedServeOn()
      throws Exception {
    GrpcCheckServer capped =
        GrpcCheckServer.standalone(AuthCheck.configured("api-key", null), 0, null, null)
            .maxConnections(1);
    capped.start();
    ManagedChannel first = plaintext(capped);
    ManagedChannel second = plaintext(capped);
    try {
      assertEquals(
          401, checkOn(first).check(request(null)).getDeniedResponse().getStatus().getCodeValue());
      StatusRuntimeException refused =
          assertThrows(StatusRuntimeException.class, () -> checkOn(second).check(request(null)));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
      assertTrue(
          String.valueOf(refused.getStatus().getDescription()).contains("max-connections"),
          refused.toString());
      assertEquals(
          401, checkOn(first).check(request(null)).getDeniedResponse().getStatus().getCodeValue());
    } finally {
      first.shutdownNow();
      second.shutdownNow();
      capped.stop();
    }
  }

  @Test
  void grpcTimeoutIsReadInEachOfItsUnitsAndNonsenseIsNoDeadline() {
    assertEquals(2L * 3_600_000_000_000L, GrpcTimeout.nanos("2H"));
    assertEquals(60_000_000_000L, GrpcTimeout.nanos("1M"));
    assertEquals(5_000_000_000L, GrpcTimeout.nanos("5S"));
    assertEquals(250_000_000L, GrpcTimeout.nanos("250m"));
    assertEquals(7_000L, GrpcTimeout.nanos("7u"));
    assertEquals(99_999_999L, GrpcTimeout.nanos("99999999n"));
    assertEquals(-1, GrpcTimeout.nanos("5"));
    assertEquals(-1, GrpcTimeout.nanos("5x"));
    assertEquals(-1, GrpcTimeout.nanos("-5S"));
    assertEquals(-1, GrpcTimeout.nanos("123456789S"));
  }

  @Test
  void grpcMessageIsPercentEncodedUtf8() {
    assertEquals("100%25 caf%C3%A9%0A", GrpcConnection.percentEncoded("100% café\n"));
  }

  /** curl over HTTP/2 without TLS: what it printed, the body and then the HTTP status. */
  private static String curl(String... arguments) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of("curl", "-s", "--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_code}"));
    command.addAll(List.of(arguments));
    Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(curl.waitFor(30, TimeUnit.SECONDS), "curl did not finish");
    assertEquals(0, curl.exitValue(), "curl (Debian's, with HTTP/2) failed: " + output);
    return output;
  }

  private static AuthorizationGrpc.AuthorizationBlockingStub check() {
    return checkOn(channel);
  }

  private static AuthorizationGrpc.AuthorizationBlockingStub checkOn(ManagedChannel channel) {
    return AuthorizationGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
  }

  private static ManagedChannel plaintext(GrpcCheckServer server) {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.boundPort())
        .usePlaintext()
        .maxInboundMessageSize(1 << 20)
        .build();
  }

  private static CheckRequest request(String key) {
    return EnvoyCalls.get("/petstore/pets", "api.example", key);
  }
}
