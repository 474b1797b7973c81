package io.keyport.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The API behind the gateways: answers every request with the method, URI and headers it received
 * as JSON, and remembers them, so a test can see exactly what a gateway let through.
 */
final class EchoUpstream implements AutoCloseable {

  /** One request as the upstream received it; header names as received, in any case. */
  record Seen(String method, String uri, Map<String, List<String>> headers) {

    /** The values of a header, looked up case-insensitively; empty when absent. */
    List<String> header(String name) {
      List<String> values = new ArrayList<>();
      headers.forEach(
          (key, list) -> {
            if (key.equalsIgnoreCase(name)) {
              values.addAll(list);
            }
          });
      return values;
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();

  private EchoUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext(
        "/",
        exchange -> {
          Map<String, List<String>> headers = new TreeMap<>();
          exchange
              .getRequestHeaders()
              .forEach((name, values) -> headers.put(name, List.copyOf(values)));
          Seen request =
              new Seen(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().toString(),
                  Collections.unmodifiableMap(headers));
          seen.add(request);
          byte[] body = json(request).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(threads);
    server.start();
  }

  static EchoUpstream start() throws IOException {
    return new EchoUpstream();
  }

  /** host:port, on the loopback interface. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** The requests whose URI contains {@code marker}, in order of arrival. */
  List<Seen> requestsWith(String marker) {
    return seen.stream().filter(request -> request.uri().contains(marker)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private static String json(Seen request) {
    StringBuilder json = new StringBuilder("{\"method\":");
    quote(json, request.method()).append(",\"uri\":");
    quote(json, request.uri()).append(",\"headers\":{");
    boolean first = true;
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      quote(json, header.getKey()).append(":[");
      for (int i = 0; i < header.getValue().size(); i++) {
        if (i > 0) {
          json.append(',');
        }
        quote(json, header.getValue().get(i));
      }
      json.append(']');
    }
    return json.append("}}").toString();
  }

  private static StringBuilder quote(StringBuilder json, String text) {
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append('"');
  }
}
