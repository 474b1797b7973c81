package io.keyport.check;

import com.google.protobuf.MessageLite;
import com.google.rpc.Code;
import io.netty.buffer.ByteBuf;

/**
 * One gRPC call on a {@link GrpcConnection}: the method asked for, its deadline, and the way to
 * answer it. Answering is safe from any thread; a call whose stream the caller reset, or whose
 * connection closed, is {@linkplain #isGone() gone} and takes no answer.
 */
final class GrpcCall {

  /** The methods Keyport serves (SPEC §9), by their HTTP/2 {@code :path}. */
  enum Method {
    CHECK("/envoy.service.auth.v3.Authorization/Check"),
    HEALTH_CHECK("/grpc.health.v1.Health/Check"),
    HEALTH_WATCH("/grpc.health.v1.Health/Watch");

    final String path;

    Method(String path) {
      this.path = path;
    }

    /** The method a {@code :path} names, or null for one Keyport does not serve. */
    static Method at(CharSequence path) {
      for (Method method : values()) {
        if (method.path.contentEquals(path)) {
          return method;
        }
      }
      return null;
    }
  }

  final Method method;
  final int streamId;
  private final GrpcConnection connection;
  private final long deadlineNanos;
  private final boolean hasDeadline;
  private volatile boolean gone;

  // Owned by the connection's event loop.
  /** The request message as it arrives: the 5-byte gRPC prefix, then the message. */
  ByteBuf received;

  /** The request message is gzip-compressed when its prefix says so. */
  boolean gzip;

  /** The response headers are written: what follows is messages, then trailers. */
  boolean headersSent;

  /** The trailers are written, or the call was refused while it was still arriving. */
  boolean finished;

  /**
   * @param timeoutNanos the caller's {@code grpc-timeout}, or negative for none
   */
  GrpcCall(GrpcConnection connection, int streamId, Method method, long timeoutNanos) {
    this.connection = connection;
    this.streamId = streamId;
    this.method = method;
    this.hasDeadline = timeoutNanos >= 0;
    this.deadlineNanos = System.nanoTime() + Math.max(timeoutNanos, 0);
  }

  /** The caller has given up (reset the stream, or the connection closed); nobody reads more. */
  boolean isGone() {
    return gone;
  }

  /** The caller's deadline has passed: its answer would arrive after it stopped waiting. */
  boolean isPastDeadline() {
    return hasDeadline && System.nanoTime() - deadlineNanos > 0;
  }

  /** Answers a unary call: the message, then status OK. */
  void reply(MessageLite message) {
    connection.answer(this, message, true);
  }

  /** Sends one message of a server stream (health Watch) and keeps the call open. */
  void send(MessageLite message) {
    connection.answer(this, message, false);
  }

  /** Ends the call with {@code code}; for an error, {@code description} says what to do. */
  void close(Code code, String description) {
    connection.close(this, code, description);
  }

  /** The stream is closed: frees what was received. Called on the event loop. */
  void closed() {
    gone = true;
    release();
  }

  void release() {
    if (received != null) {
      received.release();
      received = null;
    }
  }
}
