package io.keyport.check;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection of the check listener: reads requests, answers each with the {@link AuthCheck}
 * verdict, never reads a body. Used only on its I/O thread. HTTP/1.1 answers pipelined requests in
 * the order they came: while one waits for PostgreSQL, the requests behind it wait here (and the
 * connection is not read further) instead of being answered ahead of it, which would give a client
 * one key's answer for another's request.
 *
 * <p>A connection on which nothing was read or written for the idle timeout is closed, so idle or
 * trickling clients (a request head sent a byte at a time) cannot hold connections for ever; one
 * waiting for its answer is never idle.
 */
final class CheckHandler extends SimpleChannelInboundHandler<HttpObject> {

  /** The idle timeout is checked this many times per timeout: closed after 1 to 1.25 of it. */
  private static final int IDLE_TICKS = 4;

  /**
   * The check's own answers carry only names and values it made (constants, configured header
   * names, metadata values checked by {@link AuthCheck}), so they are not validated again per
   * request.
   */
  private static final HttpHeadersFactory TRUSTED_HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private static final AsciiString DENY_HEADER = AsciiString.cached(Verdict.DENY_HEADER);
  private static final Map<String, AsciiString> NAMES = new ConcurrentHashMap<>();

  /** A denial's JSON body by error word: a handful of words, encoded once. */
  private static final Map<String, byte[]> BODIES = new ConcurrentHashMap<>();

  /** Content-Length values up to the longest denial body. */
  private static final AsciiString[] LENGTHS = new AsciiString[64];

  static {
    for (int i = 0; i < LENGTHS.length; i++) {
      LENGTHS[i] = AsciiString.cached(Integer.toString(i));
    }
  }

  private final AuthCheck check;
  private final Executor workers;
  private final long idleTickNanos;

  private final Deque<HttpRequest> waiting = new ArrayDeque<>();
  private String peer;
  private boolean busy;
  private boolean closing;
  private long activity;
  private long activityAtLastTick;
  private int quietTicks;
  private ScheduledFuture<?> idleTimer;

  /**
   * @param workers where a check that needs PostgreSQL runs, off the I/O thread
   * @param idleTimeoutNanos how long a connection may be idle; 0 for no limit
   */
  CheckHandler(AuthCheck check, Executor workers, long idleTimeoutNanos) {
    this.check = check;
    this.workers = workers;
    this.idleTickNanos = idleTimeoutNanos / IDLE_TICKS;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (idleTickNanos > 0) {
      idleTimer =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> idleTick(ctx), idleTickNanos, idleTickNanos, TimeUnit.NANOSECONDS);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (idleTimer != null) {
      idleTimer.cancel(false);
    }
    super.channelInactive(ctx);
  }

  private void idleTick(ChannelHandlerContext ctx) {
    if (busy || activity != activityAtLastTick) {
      activityAtLastTick = activity;
      quietTicks = 0;
    } else if (++quietTicks >= IDLE_TICKS) {
      ctx.close();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
    activity++;
    if (!(message instanceof HttpRequest request) || closing) {
      return; // bodies are never read
    }
    if (busy) {
      waiting.add(request);
    } else {
      answer(ctx, request);
    }
  }

  private void answer(ChannelHandlerContext ctx, HttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      reply(ctx, plain(statusFor(decoded.cause())), false);
      return;
    }
    String uri = request.uri();
    if (!uri.startsWith(CheckServlet.CHECK_PATH)
        || (uri.length() > CheckServlet.CHECK_PATH.length()
            && uri.charAt(CheckServlet.CHECK_PATH.length()) != '/'
            && uri.charAt(CheckServlet.CHECK_PATH.length()) != '?')) {
      reply(ctx, plain(HttpResponseStatus.NOT_FOUND), keepAlive);
      return;
    }
    HttpHeaders headers = request.headers();
    CheckRequest checked =
        CheckRequest.read(
            headers::get,
            request.method().name(),
            uri.substring(CheckServlet.CHECK_PATH.length()),
            check.keyHeader(),
            peer(ctx),
            check.trustedProxies());
    Optional<Verdict> fast = check.decideFromMemory(checked, Front.LISTENER);
    if (fast.isPresent()) {
      reply(ctx, response(fast.get()), keepAlive);
      return;
    }
    busy = true;
    ctx.channel().config().setAutoRead(false);
    try {
      workers.execute(
          () -> {
            FullHttpResponse answer = response(check.decide(checked, Front.LISTENER));
            ctx.executor().execute(() -> answered(ctx, answer, keepAlive));
          });
    } catch (RejectedExecutionException overloaded) {
      answered(ctx, response(check.overloaded(Front.LISTENER)), keepAlive);
    }
  }

  /** 431 and 414 for a request head over the size limit, as RFC 6585 and 9110 name them. */
  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  private void answered(ChannelHandlerContext ctx, FullHttpResponse answer, boolean keepAlive) {
    reply(ctx, answer, keepAlive);
    busy = false;
    if (closing) {
      return;
    }
    ctx.channel().config().setAutoRead(true);
    HttpRequest next;
    while (!busy && !closing && (next = waiting.poll()) != null) {
      answer(ctx, next);
    }
  }

  private void reply(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    activity++;
    if (!keepAlive) {
      closing = true;
      waiting.clear();
    }
    write(ctx, response, keepAlive);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  static FullHttpResponse response(Verdict verdict) {
    byte[] encodedBody =
        verdict.allowed()
            ? null
            : BODIES.computeIfAbsent(
                verdict.error(), e -> verdict.body().getBytes(StandardCharsets.US_ASCII));
    ByteBuf body =
        encodedBody == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(encodedBody);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(verdict.status()),
            body,
            TRUSTED_HEADERS,
            TRUSTED_HEADERS);
    HttpHeaders headers = response.headers();
    for (Map.Entry<String, String> header : verdict.headers().entrySet()) {
      headers.set(name(header.getKey()), header.getValue());
    }
    if (!verdict.allowed()) {
      headers.set(DENY_HEADER, verdict.error());
      headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      headers.set(HttpHeaderNames.CONTENT_LENGTH, length(encodedBody.length));
    } else {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    }
    return response;
  }

  /**
   * A header name as the encoder writes it fastest (an {@link AsciiString} is copied as bytes, a
   * String one char at a time), made once per distinct name: the identity, metadata and RateLimit
   * headers, a set bounded by the configuration.
   */
  private static AsciiString name(String name) {
    AsciiString encoded = NAMES.get(name);
    return encoded != null ? encoded : NAMES.computeIfAbsent(name, AsciiString::cached);
  }

  private static AsciiString length(int bytes) {
    return bytes < LENGTHS.length ? LENGTHS[bytes] : AsciiString.of(Integer.toString(bytes));
  }

  private static FullHttpResponse plain(HttpResponseStatus status) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER, TRUSTED_HEADERS, TRUSTED_HEADERS);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    return response;
  }

  private static void write(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The gateway's address, read once per connection. */
  private String peer(ChannelHandlerContext ctx) {
    if (peer == null && ctx.channel().remoteAddress() instanceof InetSocketAddress address) {
      peer =
          address.getAddress() == null
              ? address.getHostString()
              : address.getAddress().getHostAddress();
    }
    return peer;
  }
}
