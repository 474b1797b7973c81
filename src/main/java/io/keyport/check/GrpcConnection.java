package io.keyport.check;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.rpc.Code;
import io.grpc.health.v1.HealthCheckRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

/**
 * One HTTP/2 connection of the gRPC check (SPEC §9): gRPC's unary calls read straight off Netty's
 * HTTP/2 codec, as {@link CheckHandler} reads HTTP/1.1. A call's headers name the method and its
 * deadline; its DATA frames carry one length-prefixed message; when the caller ends the stream the
 * message is parsed and handed to {@link GrpcCheckService} or {@link GrpcHealth}, and the answer
 * goes back as response headers, one message and the {@code grpc-status} trailers (or headers and
 * trailers in one frame for an error). Everything here runs on the connection's event loop; an
 * answer from a worker thread is carried over to it.
 *
 * <p>grpc-java's server did the same with a stream object, a context, a deframer, a marshaller and
 * a listener per call, about 70% of the gRPC front's CPU samples (bench/README); this reads the
 * frames it needs and nothing more. What gRPC's HTTP/2 protocol asks of a server that only serves
 * unary calls and one server stream is here: POST and {@code application/grpc} only, UNIMPLEMENTED
 * for another method, {@code grpc-timeout}, identity or gzip messages, the message size limit,
 * percent-encoded {@code grpc-message}. The HTTP/2 side (settings, flow control, pings, GOAWAY, the
 * header list size limit) is Netty's.
 */
final class GrpcConnection extends Http2ConnectionHandler implements Http2FrameListener {

  private static final Logger LOG = Logger.getLogger(GrpcConnection.class.getName());

  /** Streams one connection may have open at once; a client opens another connection past it. */
  static final int MAX_CONCURRENT_STREAMS = 1024;

  /** Flow-control window, per stream and for the connection: grpc-java's default, 1 MiB. */
  static final int WINDOW_BYTES = 1 << 20;

  /** How long closing waits for the calls in flight: the same as grpc-java's server stop. */
  static final long GRACEFUL_SHUTDOWN_MILLIS = 5_000;

  private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
  private static final AsciiString GRPC = AsciiString.cached("application/grpc");
  private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  private static final AsciiString GRPC_ENCODING = AsciiString.cached("grpc-encoding");
  private static final AsciiString GRPC_ACCEPT_ENCODING =
      AsciiString.cached("grpc-accept-encoding");
  private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  private static final AsciiString POST = AsciiString.cached("POST");
  private static final AsciiString IDENTITY = AsciiString.cached("identity");
  private static final AsciiString GZIP = AsciiString.cached("gzip");
  private static final AsciiString ENCODINGS = AsciiString.cached("identity,gzip");

  /** Every answer's first headers; shared, never changed. */
  private static final Http2Headers RESPONSE_HEADERS =
      new DefaultHttp2Headers()
          .status("200")
          .set(CONTENT_TYPE, GRPC)
          .set(GRPC_ACCEPT_ENCODING, ENCODINGS);

  private static final Http2Headers OK_TRAILERS =
      new DefaultHttp2Headers().set(GRPC_STATUS, AsciiString.cached("0"));

  private static final String NOT_GRPC =
      "This port serves Keyport's gRPC auth check (Envoy ext_authz): POST with content-type"
          + " application/grpc. The HTTP check is on keyport.check.port.";
  private static final byte[] NOT_GRPC_BODY = (NOT_GRPC + "\n").getBytes(StandardCharsets.UTF_8);

  /** How long a refused connection may still send before it is closed (as the listener's). */
  private static final long REFUSAL_LINGER_MILLIS = 1_000;

  /** How long a refused connection that makes no call is kept before it is closed. */
  private static final long REFUSAL_WAIT_MILLIS = 10_000;

  private static final String OVER_CAP =
      "keyport.check.max-connections reached: use the connections open already, or raise it";

  /** The gRPC prefix of a message: a compressed flag and a 4-byte length. */
  private static final int PREFIX_BYTES = 5;

  private final GrpcCheckService check;
  private final GrpcHealth health;
  private final int maxMessageBytes;
  private final boolean admitted;
  private final Http2Connection.PropertyKey callKey;
  private ChannelHandlerContext ctx;
  private boolean windowOpened;
  private boolean closingScheduled;

  private GrpcConnection(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings settings,
      GrpcCheckService check,
      GrpcHealth health,
      int maxMessageBytes,
      boolean admitted) {
    super(decoder, encoder, settings);
    this.admitted = admitted;
    this.check = check;
    this.health = health;
    this.maxMessageBytes = maxMessageBytes;
    this.callKey = connection().newKey();
    connection()
        .addListener(
            new Http2ConnectionAdapter() {
              @Override
              public void onStreamClosed(Http2Stream stream) {
                GrpcCall call = stream.getProperty(callKey);
                if (call != null) {
                  call.closed();
                  if (call.method == GrpcCall.Method.HEALTH_WATCH) {
                    health.forget(call);
                  }
                }
              }
            });
  }

  /**
   * A connection's handler, with the check's limits: {@code maxHeaderBytes} for the call's header
   * block (HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE, enforced by Netty's decoder) and {@code
   * maxMessageBytes} for its message. A connection not {@code admitted} (over {@code
   * keyport.check.max-connections}) has its calls answered UNAVAILABLE and is closed after a
   * second.
   */
  static GrpcConnection create(
      GrpcCheckService check,
      GrpcHealth health,
      int maxHeaderBytes,
      int maxMessageBytes,
      boolean admitted) {
    return new Builder(check, health, maxMessageBytes, admitted)
        .initialSettings(
            Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .initialWindowSize(WINDOW_BYTES)
                .maxHeaderListSize(maxHeaderBytes))
        .gracefulShutdownTimeoutMillis(GRACEFUL_SHUTDOWN_MILLIS)
        .build();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    super.handlerAdded(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx); // sends the preface
    if (!admitted) {
      // Over the connection cap: its calls are refused (started), and it is closed with GOAWAY a
      // moment after the first refusal, or after REFUSAL_WAIT_MILLIS if it makes none (a TLS
      // handshake comes first). Closed at once, with the client's preface unread, the connection
      // would be reset and the client could lose the answer that says why.
      ctx.executor().schedule(() -> goAway(ctx), REFUSAL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    // keyport.check.idle-timeout: a connection with no call open for that long is closed (GOAWAY).
    if (event instanceof IdleStateEvent) {
      if (connection().numActiveStreams() == 0) {
        goAway(ctx);
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  /**
   * Closes the connection as HTTP/2 does: GOAWAY naming the last stream it took, then closed once
   * the calls in flight are answered (up to {@link #GRACEFUL_SHUTDOWN_MILLIS}). {@code ctx.close()}
   * would start below this handler and close the socket without either.
   */
  private void goAway(ChannelHandlerContext ctx) {
    try {
      close(ctx, ctx.newPromise());
    } catch (Exception e) {
      ctx.channel().close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
      super.exceptionCaught(ctx, cause); // HTTP/2's own errors: RST_STREAM or GOAWAY, as Netty does
      return;
    }
    // Not HTTP/2 at all, such as a plaintext client on the TLS port, or the peer went away.
    LOG.log(Level.FINE, "gRPC check connection closed: " + cause, cause);
    ctx.close();
  }

  // ---- reading a call ----------------------------------------------------------------------

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int padding,
      boolean endOfStream) {
    Http2Stream stream = connection().stream(streamId);
    GrpcCall call = stream.getProperty(callKey);
    if (call == null) {
      call = started(stream, headers);
      stream.setProperty(callKey, call);
    }
    // Otherwise these are the caller's trailers, which a unary call has no use for.
    if (endOfStream) {
      ended(call);
    }
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean endOfStream) {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  /** The call a stream's headers ask for; refused at once if they ask for nothing served here. */
  private GrpcCall started(Http2Stream stream, Http2Headers headers) {
    if (!admitted) {
      GrpcCall refused = new GrpcCall(this, stream.id(), null, -1);
      refuse(refused, Code.UNAVAILABLE, OVER_CAP);
      if (!closingScheduled) {
        closingScheduled = true;
        ctx.executor().schedule(() -> goAway(ctx), REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
      }
      return refused;
    }
    GrpcCall.Method method = GrpcCall.Method.at(headers.path() == null ? "" : headers.path());
    CharSequence timeout = headers.get(GRPC_TIMEOUT);
    GrpcCall call =
        new GrpcCall(this, stream.id(), method, timeout == null ? -1 : GrpcTimeout.nanos(timeout));
    CharSequence type = headers.get(CONTENT_TYPE);
    if (!POST.contentEquals(headers.method() == null ? "" : headers.method())
        || type == null
        || !AsciiString.regionMatches(type, true, 0, GRPC, 0, GRPC.length())) {
      // Not a gRPC call at all: a browser, curl, or a probe speaking plain HTTP/2.
      notGrpc(call);
    } else if (method == null) {
      refuse(
          call,
          Code.UNIMPLEMENTED,
          "Method not found: " + shortened(headers.path()) + "; this port serves " + served());
    } else {
      CharSequence encoding = headers.get(GRPC_ENCODING);
      if (encoding != null && GZIP.contentEqualsIgnoreCase(encoding)) {
        call.gzip = true;
      } else if (encoding != null && !IDENTITY.contentEqualsIgnoreCase(encoding)) {
        refuse(
            call,
            Code.UNIMPLEMENTED,
            "Message encoding " + shortened(encoding) + " is not supported; send identity or gzip");
      }
    }
    return call;
  }

  /** A client's value as an error message repeats it: cut, so the answer's headers stay small. */
  private static String shortened(CharSequence value) {
    return value.length() <= 200 ? value.toString() : value.subSequence(0, 200) + "…";
  }

  private static String served() {
    StringBuilder paths = new StringBuilder();
    for (GrpcCall.Method method : GrpcCall.Method.values()) {
      paths.append(paths.length() == 0 ? "" : ", ").append(method.path);
    }
    return paths.toString();
  }

  @Override
  public int onDataRead(
      ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
    int processed = data.readableBytes() + padding;
    GrpcCall call = connection().stream(streamId).getProperty(callKey);
    if (call == null || call.finished) {
      return processed; // refused while still arriving: what follows is dropped
    }
    if (data.isReadable()) {
      received(call, data);
    }
    if (endOfStream && !call.finished) {
      ended(call);
    }
    return processed;
  }

  /**
   * Adds a DATA frame's bytes to the call's message. The prefix names the message's length before
   * its bytes arrive, so a message over the limit is refused then, having kept 5 bytes of it.
   */
  private void received(GrpcCall call, ByteBuf data) {
    if (call.received == null) {
      call.received = ctx.alloc().buffer(Math.min(data.readableBytes(), maxMessageBytes));
    }
    ByteBuf received = call.received;
    if (received.readableBytes() < PREFIX_BYTES) {
      received.writeBytes(
          data, Math.min(PREFIX_BYTES - received.readableBytes(), data.readableBytes()));
      if (received.readableBytes() < PREFIX_BYTES) {
        return;
      }
      long length = received.getUnsignedInt(1);
      if (length > maxMessageBytes) {
        refuse(
            call,
            Code.RESOURCE_EXHAUSTED,
            "A message of "
                + length
                + " bytes is over keyport.check.grpc-max-message-size ("
                + maxMessageBytes
                + " bytes)");
        return;
      }
    }
    long expected = PREFIX_BYTES + received.getUnsignedInt(1);
    if (received.readableBytes() + data.readableBytes() > expected) {
      refuse(call, Code.INVALID_ARGUMENT, "A unary call carries one message; this one had more");
      return;
    }
    received.writeBytes(data);
  }

  /** The caller has sent all it will: the call is decided now. */
  private void ended(GrpcCall call) {
    if (call.finished) {
      return;
    }
    ByteBuf received = call.received;
    if (received == null
        || received.readableBytes() < PREFIX_BYTES
        || received.readableBytes() != PREFIX_BYTES + received.getUnsignedInt(1)) {
      refuse(
          call,
          Code.INVALID_ARGUMENT,
          received == null
              ? "A unary call carries one message; this one had none"
              : "The call ended inside its message");
      return;
    }
    byte[] message;
    try {
      message = message(call, received);
    } catch (IOException notGzip) {
      refuse(call, Code.INTERNAL, "The message is not the gzip its prefix says it is");
      return;
    } finally {
      call.release();
    }
    if (message == null) {
      refuse(
          call,
          Code.RESOURCE_EXHAUSTED,
          "The message unzips to more than keyport.check.grpc-max-message-size ("
              + maxMessageBytes
              + " bytes)");
      return;
    }
    try {
      dispatch(call, message);
    } catch (RuntimeException e) {
      // One call's failure is that call's, not the connection's (and every call on it).
      LOG.log(Level.WARNING, "A gRPC check call failed", e);
      close(call, Code.INTERNAL, "The call could not be answered; see Keyport's log");
    }
  }

  private void dispatch(GrpcCall call, byte[] message) {
    switch (call.method) {
      case CHECK -> check.check(GrpcCheckRequests.parse(message), call);
      case HEALTH_CHECK, HEALTH_WATCH -> {
        HealthCheckRequest request;
        try {
          request = HealthCheckRequest.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
          refuse(call, Code.INVALID_ARGUMENT, "The message is not a grpc.health.v1 request");
          return;
        }
        if (call.method == GrpcCall.Method.HEALTH_CHECK) {
          health.check(request, call);
        } else {
          health.watch(request, call);
        }
      }
    }
  }

  /** The message's bytes, unzipped if it says so; null if they unzip to more than the limit. */
  private byte[] message(GrpcCall call, ByteBuf received) throws IOException {
    boolean compressed = received.getByte(0) != 0;
    received.skipBytes(PREFIX_BYTES);
    if (!compressed) {
      byte[] bytes = new byte[received.readableBytes()];
      received.readBytes(bytes);
      return bytes;
    }
    if (!call.gzip) {
      throw new IOException("compressed without grpc-encoding");
    }
    try (InputStream in = new GZIPInputStream(new ByteBufInputStream(received))) {
      byte[] bytes = in.readNBytes(maxMessageBytes + 1);
      return bytes.length > maxMessageBytes ? null : bytes;
    }
  }

  /** Ends a call with an error before it was handed on; what it still sends is dropped. */
  private void refuse(GrpcCall call, Code code, String description) {
    call.release();
    close(call, code, description);
  }

  /**
   * HTTP's own answer to a request that is not a gRPC call: 415 (gRPC's HTTP/2 protocol asks for it
   * on a content type that is not gRPC's) with a line saying what the port serves.
   */
  private void notGrpc(GrpcCall call) {
    call.finished = true;
    call.headersSent = true;
    Http2Headers headers =
        new DefaultHttp2Headers()
            .status("415")
            .set(CONTENT_TYPE, "text/plain; charset=utf-8")
            .setInt(GRPC_STATUS, Code.UNIMPLEMENTED.getNumber())
            .set(GRPC_MESSAGE, percentEncoded(NOT_GRPC));
    ByteBuf body = ctx.alloc().buffer().writeBytes(NOT_GRPC_BODY);
    encoder().writeHeaders(ctx, call.streamId, headers, 0, false, ctx.newPromise());
    encoder().writeData(ctx, call.streamId, body, 0, true, ctx.newPromise());
  }

  /**
   * A call whose header block is over {@code keyport.check.max-header-size}: Netty's decoder has
   * dropped it; the answer is HTTP's 431 with RESOURCE_EXHAUSTED, so a gRPC client reads the
   * reason.
   */
  @Override
  protected void handleServerHeaderDecodeSizeError(ChannelHandlerContext ctx, Http2Stream stream) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .status("431")
            .set(CONTENT_TYPE, GRPC)
            .setInt(GRPC_STATUS, Code.RESOURCE_EXHAUSTED.getNumber())
            .set(
                GRPC_MESSAGE,
                percentEncoded("The call's headers are over keyport.check.max-header-size"));
    encoder().writeHeaders(ctx, stream.id(), headers, 0, true, ctx.newPromise());
  }

  // ---- answering ---------------------------------------------------------------------------

  /** Writes one message, and with {@code last} the OK trailers after it; from any thread. */
  void answer(GrpcCall call, MessageLite message, boolean last) {
    if (!ctx.executor().inEventLoop()) {
      onLoop(() -> answer(call, message, last));
      return;
    }
    if (!writable(call)) {
      return;
    }
    if (!call.headersSent) {
      call.headersSent = true;
      encoder().writeHeaders(ctx, call.streamId, RESPONSE_HEADERS, 0, false, ctx.newPromise());
    }
    encoder().writeData(ctx, call.streamId, framed(message), 0, false, ctx.newPromise());
    if (last) {
      call.finished = true;
      encoder().writeHeaders(ctx, call.streamId, OK_TRAILERS, 0, true, ctx.newPromise());
    }
  }

  /** Ends the call with a status: trailers after the messages sent, or one frame with both. */
  void close(GrpcCall call, Code code, String description) {
    if (!ctx.executor().inEventLoop()) {
      onLoop(() -> close(call, code, description));
      return;
    }
    if (!writable(call)) {
      return;
    }
    call.finished = true;
    boolean trailersOnly = !call.headersSent;
    Http2Headers trailers =
        trailersOnly
            ? new DefaultHttp2Headers()
                .status("200")
                .set(CONTENT_TYPE, GRPC)
                .set(GRPC_ACCEPT_ENCODING, ENCODINGS)
            : new DefaultHttp2Headers();
    trailers.setInt(GRPC_STATUS, code.getNumber());
    if (description != null && code != Code.OK) {
      trailers.set(GRPC_MESSAGE, percentEncoded(description));
    }
    call.headersSent = true;
    encoder().writeHeaders(ctx, call.streamId, trailers, 0, true, ctx.newPromise());
    // A refusal while the caller still sends is not followed by RST_STREAM (RFC 9113 §8.1 allows
    // it): Netty counts the resets a server sends against its rapid-reset guard, 200 in 30 s, and
    // a burst of oversized checks then closed the whole connection with ENHANCE_YOUR_CALM
    // (GrpcCheckIT's fuzz, 12-08 00:27). The caller ends its stream; what it sends is dropped.
  }

  /**
   * Writes an answer from another thread on the connection's event loop, and flushes it (a read's
   * own answers are flushed when the read completes); dropped once the server has stopped it.
   */
  private void onLoop(Runnable write) {
    try {
      ctx.executor()
          .execute(
              () -> {
                write.run();
                flush(ctx);
              });
    } catch (RejectedExecutionException stopped) {
      // The connection is gone with its event loop: nobody reads the answer.
    }
  }

  /** Not answered yet, and the stream can still carry an answer. */
  private boolean writable(GrpcCall call) {
    if (call.finished || call.isGone()) {
      return false;
    }
    Http2Stream stream = connection().stream(call.streamId);
    return stream != null && stream.state().localSideOpen();
  }

  private ByteBuf framed(MessageLite message) {
    int size = message.getSerializedSize();
    ByteBuf framed = ctx.alloc().buffer(PREFIX_BYTES + size);
    framed.writeByte(0).writeInt(size);
    try {
      message.writeTo(CodedOutputStream.newInstance(framed.nioBuffer(PREFIX_BYTES, size)));
    } catch (IOException e) {
      framed.release();
      throw new IllegalStateException("A gRPC answer could not be serialized", e);
    }
    framed.writerIndex(PREFIX_BYTES + size);
    return framed;
  }

  /** gRPC's {@code grpc-message}: UTF-8, with '%' and bytes outside printable ASCII as %XX. */
  static String percentEncoded(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      if (b >= 0x20 && b < 0x7f && b != '%') {
        out.append((char) b);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
        out.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  // ---- the rest of HTTP/2 is Netty's -------------------------------------------------------

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
    // Our preface has gone out by the time the caller's settings arrive: open the connection's
    // window to match the streams'.
    if (!windowOpened) {
      windowOpened = true;
      Http2Stream connectionStream = connection().connectionStream();
      try {
        connection()
            .local()
            .flowController()
            .incrementWindowSize(
                connectionStream,
                WINDOW_BYTES - connection().local().flowController().windowSize(connectionStream));
      } catch (io.netty.handler.codec.http2.Http2Exception e) {
        onError(ctx, false, e);
      }
    }
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
    // The stream is closed by Netty; the call is told so in onStreamClosed.
  }

  @Override
  public void onPriorityRead(
      ChannelHandlerContext ctx,
      int streamId,
      int streamDependency,
      short weight,
      boolean exclusive) {}

  @Override
  public void onSettingsAckRead(ChannelHandlerContext ctx) {}

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) {}

  @Override
  public void onPingAckRead(ChannelHandlerContext ctx, long data) {}

  @Override
  public void onPushPromiseRead(
      ChannelHandlerContext ctx,
      int streamId,
      int promisedStreamId,
      Http2Headers headers,
      int padding) {}

  @Override
  public void onGoAwayRead(
      ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {}

  @Override
  public void onWindowUpdateRead(
      ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {}

  @Override
  public void onUnknownFrame(
      ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags, ByteBuf payload) {}

  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<GrpcConnection, Builder> {
    private final GrpcCheckService check;
    private final GrpcHealth health;
    private final int maxMessageBytes;
    private final boolean admitted;

    Builder(GrpcCheckService check, GrpcHealth health, int maxMessageBytes, boolean admitted) {
      this.check = check;
      this.health = health;
      this.maxMessageBytes = maxMessageBytes;
      this.admitted = admitted;
      server(true);
    }

    @Override
    protected Builder initialSettings(Http2Settings settings) {
      return super.initialSettings(settings);
    }

    @Override
    protected Builder gracefulShutdownTimeoutMillis(long millis) {
      return super.gracefulShutdownTimeoutMillis(millis);
    }

    @Override
    protected GrpcConnection build() {
      return super.build();
    }

    @Override
    protected GrpcConnection build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      GrpcConnection connection =
          new GrpcConnection(decoder, encoder, settings, check, health, maxMessageBytes, admitted);
      frameListener(connection);
      return connection;
    }
  }
}
