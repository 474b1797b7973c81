package io.keyport.platform;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code /metrics} on a port of its own ({@code keyport.metrics.port}, off when unset), so
 * Prometheus can scrape a port that is never published. The JDK's small HTTP server on one thread
 * is enough: a scraper calls every few seconds.
 */
@ApplicationScoped
public class MetricsPort {

  private static final Logger LOG = Logger.getLogger(MetricsPort.class.getName());

  @Inject private Metrics metrics;

  @Inject
  @ConfigProperty(name = "keyport.metrics.port")
  Optional<Integer> port;

  @Inject
  @ConfigProperty(name = "keyport.metrics.bind-address", defaultValue = "0.0.0.0")
  String bindAddress;

  private HttpServer server;

  /** Starts listening if {@code keyport.metrics.port} is set and metrics are enabled. */
  public void start() throws IOException {
    if (port.isEmpty() || !metrics.enabled()) {
      return;
    }
    server = HttpServer.create(new InetSocketAddress(bindAddress, port.get()), 16);
    server.createContext("/metrics", this::scrape);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            work -> {
              Thread thread = new Thread(work, "keyport-metrics");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    LOG.info("Metrics listening on " + bindAddress + ":" + port.get() + "/metrics");
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          || !"/metrics".equals(exchange.getRequestURI().getPath())) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", Metrics.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @PreDestroy
  void stop() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }
}
