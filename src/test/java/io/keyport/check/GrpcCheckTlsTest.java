package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.keyport.testsupport.EnvoyCalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC check over TLS ({@code keyport.check.grpc-tls-cert} and {@code -key}): a real handshake
 * against a certificate made for the test by the JDK's keytool, written out as the PEM files an
 * operator would give. The check behind it is the real decision, outside the container: a call
 * without a key is answered from memory, so no database is needed to see the answer cross TLS.
 */
class GrpcCheckTlsTest {

  @TempDir static Path dir;
  private static Path cert;
  private static Path key;
  private static GrpcCheckServer server;

  @BeforeAll
  static void startOverTls() throws Exception {
    Path store = dir.resolve("check.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "check",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "san=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
    assertEquals(0, keytool.exitValue(), "keytool failed: " + output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    cert = pem(dir.resolve("check.crt"), "CERTIFICATE", keys.getCertificate("check").getEncoded());
    key =
        pem(
            dir.resolve("check.key"),
            "PRIVATE KEY", // PKCS#8, as docs/grpc.md asks
            keys.getKey("check", "changeit".toCharArray()).getEncoded());
    server =
        GrpcCheckServer.standalone(
            AuthCheck.configured("api-key", null), 0, cert.toString(), key.toString());
    server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void aClientThatTrustsTheCertificateGetsTheChecksAnswerOverTls() throws Exception {
    ManagedChannel channel = trusting();
    try {
      CheckResponse answer =
          AuthorizationGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(withoutKey());
      assertEquals(Code.UNAUTHENTICATED_VALUE, answer.getStatus().getCode());
      assertEquals(401, answer.getDeniedResponse().getStatus().getCodeValue());
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aPlaintextClientIsNotServedOnATlsPort() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.boundPort()).usePlaintext().build();
    try {
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  AuthorizationGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .check(withoutKey()));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aCertificateWithoutItsKeyOrAnUnreadableFileStopsTheStartWithWhatToSet() throws Exception {
    GrpcCheckServer halfConfigured =
        GrpcCheckServer.standalone(AuthCheck.configured("api-key", null), 0, cert.toString(), null);
    IllegalStateException half = assertThrows(IllegalStateException.class, halfConfigured::start);
    assertTrue(half.getMessage().contains("go together"), half.getMessage());

    GrpcCheckServer missingFile =
        GrpcCheckServer.standalone(
            AuthCheck.configured("api-key", null),
            0,
            dir.resolve("absent.crt").toString(),
            key.toString());
    IllegalStateException missing = assertThrows(IllegalStateException.class, missingFile::start);
    assertTrue(missing.getMessage().contains("readable PEM files"), missing.getMessage());

    Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate\n");
    GrpcCheckServer unreadable =
        GrpcCheckServer.standalone(
            AuthCheck.configured("api-key", null), 0, garbage.toString(), key.toString());
    IllegalStateException bad = assertThrows(IllegalStateException.class, unreadable::start);
    assertTrue(bad.getMessage().contains("cannot be read"), bad.getMessage());
  }

  private static ManagedChannel trusting() throws SSLException {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.boundPort())
        .overrideAuthority("localhost")
        .sslContext(GrpcSslContexts.forClient().trustManager(cert.toFile()).build())
        .build();
  }

  private static io.envoyproxy.envoy.service.auth.v3.CheckRequest withoutKey() {
    return EnvoyCalls.get("/petstore/pets", "api.example", null);
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(
        file,
        String.join(
            "\n", List.of("-----BEGIN " + type + "-----", body, "-----END " + type + "-----", "")));
  }
}
