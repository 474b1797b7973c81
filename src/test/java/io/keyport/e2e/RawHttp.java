package io.keyport.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client refuses to send: any bytes in the
 * request line and in header names and values, repeated headers, any size. One request per
 * connection ({@code Connection: close}).
 */
final class RawHttp {

  private static final int MAX_ANSWER_BYTES = 256 * 1024;

  private RawHttp() {}

  /** What came back: a status (0 when none), the response head, or why there was none. */
  record Answer(int status, String head, String failure) {

    boolean answered() {
      return status > 0;
    }

    /** The first value of a response header, case-insensitively; null when absent. */
    String header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      return null;
    }
  }

  /** A request being put together byte by byte. */
  static final class Request {
    private final String method;
    private final byte[] target;
    private final List<byte[][]> headers = new ArrayList<>();
    private boolean keepAlive;

    Request(String method, byte[] target) {
      this.method = method;
      this.target = target;
    }

    Request(String method, String target) {
      this(method, target.getBytes(StandardCharsets.ISO_8859_1));
    }

    Request header(String name, String value) {
      return header(
          name.getBytes(StandardCharsets.ISO_8859_1), value.getBytes(StandardCharsets.ISO_8859_1));
    }

    Request header(String name, byte[] value) {
      return header(name.getBytes(StandardCharsets.ISO_8859_1), value);
    }

    Request header(byte[] name, byte[] value) {
      headers.add(new byte[][] {name, value});
      return this;
    }

    /** Leaves the connection open for a request that follows (pipelining). */
    Request keepAlive() {
      keepAlive = true;
      return this;
    }

    List<byte[][]> headers() {
      return headers;
    }

    String method() {
      return method;
    }

    byte[] target() {
      return target;
    }

    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      out.writeBytes(method.getBytes(StandardCharsets.ISO_8859_1));
      out.write(' ');
      out.writeBytes(target);
      out.writeBytes(" HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      for (byte[][] header : headers) {
        out.writeBytes(header[0]);
        out.writeBytes(": ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(header[1]);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      if (!keepAlive) {
        out.writeBytes("Connection: close\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      return out.toByteArray();
    }
  }

  /** Sends {@code request} to 127.0.0.1:{@code port} and reads the answer's head. */
  static Answer send(int port, byte[] request, int timeoutMillis) {
    return sendFrom(null, port, request, timeoutMillis);
  }

  /**
   * As {@link #send}, from the loopback address {@code from} (such as 127.0.0.2: Linux answers the
   * whole 127/8), so a server sees another client; null for the default.
   */
  static Answer sendFrom(String from, int port, byte[] request, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      if (from != null) {
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      }
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      String writeFailure = null;
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // The server may answer and close before it has read a request it refuses.
        writeFailure = "write: " + e.getMessage();
      }
      return read(socket.getInputStream(), writeFailure);
    } catch (IOException e) {
      return new Answer(0, "", "connect: " + e.getMessage());
    }
  }

  /** Sends {@code requests} at once and returns every byte of the answers, up to the close. */
  static String sendAll(int port, byte[] requests, int timeoutMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.getOutputStream().write(requests);
      socket.getOutputStream().flush();
      return new String(
          socket.getInputStream().readNBytes(MAX_ANSWER_BYTES), StandardCharsets.ISO_8859_1);
    }
  }

  private static Answer read(InputStream in, String writeFailure) {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    String failure = writeFailure;
    try {
      int n;
      while (received.size() < MAX_ANSWER_BYTES && (n = in.read(buffer)) > 0) {
        received.write(buffer, 0, n);
        if (headComplete(received)) {
          break;
        }
      }
    } catch (IOException e) {
      failure = (failure == null ? "" : failure + "; ") + "read: " + e.getMessage();
    }
    String text = received.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end >= 0 ? text.substring(0, end) : text;
    int status = 0;
    if (head.startsWith("HTTP/1.") && head.length() >= 12) {
      try {
        status = Integer.parseInt(head.substring(9, 12));
      } catch (NumberFormatException e) {
        failure = "unreadable status line: " + head.lines().findFirst().orElse("");
      }
    } else if (failure == null) {
      failure = received.size() == 0 ? "closed without an answer" : "not HTTP: " + head;
    }
    return new Answer(status, head, failure);
  }

  private static boolean headComplete(ByteArrayOutputStream received) {
    return received.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n");
  }
}
