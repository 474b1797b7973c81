package io.keyport.check;

import io.keyport.platform.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ContextService;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The check on a dedicated listener ({@code keyport.check.port}), so gateways can call it off the
 * public port and at about nginx's speed: Netty (epoll where the OS has it) inside the same JVM,
 * deciding with the same {@link AuthCheck} as the servlet. A cached key is answered on the I/O
 * thread; one that needs PostgreSQL is handed to a managed worker so the I/O thread never blocks.
 * Each connection runs through {@link CheckPipeline}, which bounds idle time, open connections and
 * request head size.
 */
@ApplicationScoped
public class CheckListener {

  private static final Logger LOG = Logger.getLogger(CheckListener.class.getName());

  @Inject private AuthCheck check;
  @Inject private Metrics metrics;

  /** The application's context, for the event-loop threads ({@link EventLoops}). */
  @Resource private ContextService contexts;

  /** Created by payara/post-boot-commands.asadmin: 16 threads, at most 10,000 waiting checks. */
  @Resource(lookup = "concurrent/keyport-check")
  private ManagedExecutorService workers;

  @Inject
  @ConfigProperty(name = "keyport.check.port")
  Optional<Integer> port;

  /** Put it on the gateway's network only (see docs/security-check.md). */
  @Inject
  @ConfigProperty(name = "keyport.check.bind-address", defaultValue = "0.0.0.0")
  String bindAddress;

  @Inject
  @ConfigProperty(name = "keyport.check.idle-timeout", defaultValue = "PT60S")
  Duration idleTimeout;

  @Inject
  @ConfigProperty(name = "keyport.check.max-connections", defaultValue = "4096")
  int maxConnections;

  @Inject
  @ConfigProperty(name = "keyport.check.max-header-size", defaultValue = "16384")
  int maxHeaderBytes;

  private EventLoops loops;
  private Channel channel;

  /** Starts listening if {@code keyport.check.port} is set. */
  public void start() throws InterruptedException {
    if (port.isEmpty()) {
      return;
    }
    CheckPipeline.Limits limits =
        new CheckPipeline.Limits(idleTimeout, maxConnections, maxHeaderBytes);
    CheckPipeline pipeline = new CheckPipeline(check.unproxied().bean(), workers, limits);
    Gauge.builder("keyport.check.listener.connections", pipeline, CheckPipeline::openConnections)
        .description("Connections open on the check listener")
        .register(metrics.registry());
    loops = EventLoops.start(contexts, "keyport-check");
    channel =
        new ServerBootstrap()
            .group(loops.boss(), loops.io())
            .channel(loops.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(pipeline)
            .bind(new InetSocketAddress(bindAddress, port.get()))
            .sync()
            .channel();
    LOG.info(
        "Auth check listening on "
            + bindAddress
            + ":"
            + port.get()
            + " ("
            + loops.transport()
            + ")");
  }

  @PreDestroy
  void stop() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (loops != null) {
      loops.stop();
    }
  }
}
