package io.keyport.check;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.handler.ssl.SslContext;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The check for Envoy's gRPC ext_authz (SPEC §9) on {@code keyport.check.grpc-port}: grpc-java on
 * Netty (epoll where the OS has it) inside the same JVM, serving {@link GrpcCheckService} and
 * {@code grpc.health.v1.Health}. Calls run on the event loop itself (direct executor), so a cached
 * key costs no thread hand-off; the service hands what needs PostgreSQL to the same managed workers
 * as the HTTP listener. The listener's idle timeout and header size limit apply here too.
 */
@ApplicationScoped
public class GrpcCheckServer {

  private static final Logger LOG = Logger.getLogger(GrpcCheckServer.class.getName());

  @Inject private AuthCheck check;
  @Resource private ManagedThreadFactory threads;

  /** Created by payara/post-boot-commands.asadmin, shared with {@link CheckListener}. */
  @Resource(lookup = "concurrent/keyport-check")
  private ManagedExecutorService workers;

  @Inject
  @ConfigProperty(name = "keyport.check.grpc-port")
  Optional<Integer> port;

  @Inject
  @ConfigProperty(name = "keyport.check.bind-address", defaultValue = "0.0.0.0")
  String bindAddress;

  /** PEM certificate chain; with {@code grpc-tls-key}, the server speaks TLS only. */
  @Inject
  @ConfigProperty(name = "keyport.check.grpc-tls-cert")
  Optional<String> tlsCert;

  /** PEM private key (PKCS#8) of {@code grpc-tls-cert}. */
  @Inject
  @ConfigProperty(name = "keyport.check.grpc-tls-key")
  Optional<String> tlsKey;

  @Inject
  @ConfigProperty(name = "keyport.check.idle-timeout", defaultValue = "PT60S")
  Duration idleTimeout;

  /** The gRPC call's own header block: the same limit as the listener's request head. */
  @Inject
  @ConfigProperty(name = "keyport.check.max-header-size", defaultValue = "16384")
  int maxHeaderBytes;

  /**
   * Largest CheckRequest accepted. It carries the gateway request's headers (Envoy's own limit is
   * 60 KiB by default) and a little more; gRPC's 4 MiB default is far more than a check needs.
   */
  @Inject
  @ConfigProperty(name = "keyport.check.grpc-max-message-size", defaultValue = "65536")
  int maxMessageBytes;

  private final HealthStatusManager health = new HealthStatusManager();
  private EventLoops loops;
  private Server server;

  /**
   * A server outside the container, for tests of the transport (TLS, limits): on loopback, with the
   * listener's defaults, answering only what {@code check} decides from memory (there are no
   * workers for the rest).
   */
  static GrpcCheckServer standalone(AuthCheck check, int port, String tlsCert, String tlsKey) {
    GrpcCheckServer server = new GrpcCheckServer();
    server.check = check;
    server.port = Optional.of(port);
    server.bindAddress = "127.0.0.1";
    server.tlsCert = Optional.ofNullable(tlsCert);
    server.tlsKey = Optional.ofNullable(tlsKey);
    server.idleTimeout = Duration.ofSeconds(60);
    server.maxHeaderBytes = 16384;
    server.maxMessageBytes = 65536;
    return server;
  }

  /** The port it listens on, once started: the configured one, or the one chosen for port 0. */
  int boundPort() {
    return server.getPort();
  }

  /** Starts serving if {@code keyport.check.grpc-port} is set. */
  public void start() throws IOException {
    if (port.isEmpty()) {
      return;
    }
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new IllegalStateException(
          "keyport.check.grpc-tls-cert and keyport.check.grpc-tls-key go together: set both for"
              + " TLS on the gRPC check, or neither for plaintext");
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "keyport.check.idle-timeout must not be negative; use PT0S for no limit");
    }
    if (maxMessageBytes < 1024 || maxHeaderBytes < 1024) {
      throw new IllegalArgumentException(
          "keyport.check.grpc-max-message-size and keyport.check.max-header-size must be at"
              + " least 1024 bytes");
    }
    // Read before any thread is started, so a bad file stops the start with nothing left running.
    SslContext ssl = tlsCert.isPresent() ? tls(tlsCert.get(), tlsKey.get()) : null;
    loops = EventLoops.start(threads);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port.get()))
            .bossEventLoopGroup(loops.boss())
            .workerEventLoopGroup(loops.io())
            .channelType(loops.serverChannel())
            .directExecutor()
            .maxInboundMessageSize(maxMessageBytes)
            .maxInboundMetadataSize(maxHeaderBytes)
            .addService(
                GrpcCheckRequests.lenient(new GrpcCheckService(check.unproxied().bean(), workers)))
            .addService(health.getHealthService());
    if (!idleTimeout.isZero()) {
      builder.maxConnectionIdle(idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    server = builder.build().start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.SERVING);
    LOG.info(
        "gRPC auth check (Envoy ext_authz) listening on "
            + bindAddress
            + ":"
            + port.get()
            + (tlsCert.isPresent() ? " with TLS" : " in plaintext")
            + " ("
            + loops.transport()
            + ")");
  }

  private static SslContext tls(String cert, String key) {
    File certFile = new File(cert);
    File keyFile = new File(key);
    if (!certFile.canRead() || !keyFile.canRead()) {
      throw new IllegalStateException(
          "keyport.check.grpc-tls-cert ("
              + cert
              + ") and keyport.check.grpc-tls-key ("
              + key
              + ") must be readable PEM files");
    }
    try {
      return GrpcSslContexts.forServer(certFile, keyFile).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "The gRPC check's TLS certificate or key cannot be read (PEM certificate chain and"
              + " PKCS#8 PEM key expected): "
              + e.getMessage(),
          e);
    }
  }

  @PreDestroy
  void stop() {
    health.enterTerminalState();
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
          server.shutdownNow();
        }
      } catch (InterruptedException e) {
        server.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (loops != null) {
      loops.stop();
    }
  }
}
