package io.keyport.check;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.timeout.IdleStateHandler;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ContextService;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The check for Envoy's gRPC ext_authz (SPEC §9) on {@code keyport.check.grpc-port}: HTTP/2 on
 * Netty (epoll where the OS has it) inside the same JVM, each connection read by a {@link
 * GrpcConnection} that serves {@link GrpcCheckService} and {@link GrpcHealth}. Calls are read and a
 * cached key is answered on the event loop, so it costs no thread hand-off; what needs PostgreSQL
 * goes to the same managed workers as the HTTP listener. The listener's idle timeout and header
 * size limit apply here too.
 */
@ApplicationScoped
public class GrpcCheckServer {

  private static final Logger LOG = Logger.getLogger(GrpcCheckServer.class.getName());

  @Inject private AuthCheck check;

  /** The application's context, for the event-loop threads ({@link EventLoops}). */
  @Resource private ContextService contexts;

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

  /** Shared with the listener: connections held at once; one more has its calls refused. */
  @Inject
  @ConfigProperty(name = "keyport.check.max-connections", defaultValue = "4096")
  int maxConnections;

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

  private final GrpcHealth health = new GrpcHealth();
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private EventLoops loops;
  private Channel channel;

  /**
   * A server outside the container, for tests of the transport (TLS, limits): on loopback, with the
   * listener's defaults, answering only what {@code check} decides from memory (there are no
   * workers: the rest is answered as the check answers when it is out of capacity).
   */
  static GrpcCheckServer standalone(AuthCheck check, int port, String tlsCert, String tlsKey) {
    GrpcCheckServer server = new GrpcCheckServer();
    server.check = check;
    server.port = Optional.of(port);
    server.bindAddress = "127.0.0.1";
    server.tlsCert = Optional.ofNullable(tlsCert);
    server.tlsKey = Optional.ofNullable(tlsKey);
    server.idleTimeout = Duration.ofSeconds(60);
    server.maxConnections = 4096;
    server.maxHeaderBytes = 16384;
    server.maxMessageBytes = 65536;
    server.workers = null;
    return server;
  }

  /** Sets {@code keyport.check.max-connections}, for tests of the cap; before {@link #start}. */
  GrpcCheckServer maxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
    return this;
  }

  /** The port it listens on, once started: the configured one, or the one chosen for port 0. */
  int boundPort() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
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
    // The listener's limits, checked as the listener checks them.
    CheckPipeline.Limits limits =
        new CheckPipeline.Limits(idleTimeout, maxConnections, maxHeaderBytes);
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException(
          "keyport.check.grpc-max-message-size must be at least 1024 bytes");
    }
    // Read before any thread is started, so a bad file stops the start with nothing left running.
    SslContext ssl = tlsCert.isPresent() ? tls(tlsCert.get(), tlsKey.get()) : null;
    GrpcCheckService service = new GrpcCheckService(check.unproxied().bean(), executor());
    loops = EventLoops.start(contexts, "keyport-grpc");
    long idleNanos = limits.idleTimeout().toNanos();
    ChannelFuture bound =
        new ServerBootstrap()
            .group(loops.boss(), loops.io())
            .channel(loops.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel connection) {
                    connections.add(connection);
                    connection.closeFuture().addListener(closed -> connections.remove(connection));
                    boolean admitted = connections.size() <= limits.maxConnections();
                    if (ssl != null) {
                      connection.pipeline().addLast(ssl.newHandler(connection.alloc()));
                    }
                    if (idleNanos > 0) {
                      connection
                          .pipeline()
                          .addLast(new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
                    }
                    connection
                        .pipeline()
                        .addLast(
                            GrpcConnection.create(
                                service,
                                health,
                                limits.maxHeaderBytes(),
                                maxMessageBytes,
                                admitted));
                  }
                })
            .bind(new InetSocketAddress(bindAddress, port.get()))
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      loops.stop();
      loops = null;
      throw new IOException(
          "The gRPC check cannot listen on " + bindAddress + ":" + port.get(), bound.cause());
    }
    channel = bound.channel();
    health.serving();
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

  /** The managed workers; outside the container none, so every call that needs them is 503. */
  private Executor executor() {
    if (workers != null) {
      return workers;
    }
    return task -> {
      throw new RejectedExecutionException("no workers outside the container");
    };
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
      // HTTP/2 over TLS as gRPC clients expect it: ALPN "h2" and HTTP/2's allowed ciphers.
      return SslContextBuilder.forServer(certFile, keyFile)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "The gRPC check's TLS certificate or key cannot be read (PEM certificate chain and"
              + " PKCS#8 PEM key expected): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Stops: health watchers hear NOT_SERVING, new connections are refused, and each open one is sent
   * GOAWAY and given up to 5 s for the calls in flight before the threads stop.
   */
  @PreDestroy
  void stop() {
    health.stopServing();
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel connection : connections) {
      closing.add(connection.close());
    }
    long until =
        System.nanoTime()
            + TimeUnit.MILLISECONDS.toNanos(GrpcConnection.GRACEFUL_SHUTDOWN_MILLIS + 500);
    for (ChannelFuture closed : closing) {
      closed.awaitUninterruptibly(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    if (loops != null) {
      loops.stop();
    }
  }
}
