package io.keyport.check;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of the check listener runs through, built without a server so tests can
 * drive it on an {@code EmbeddedChannel}: the HTTP codec with its size limits, then a {@link
 * CheckHandler}; or, once {@code maxConnections} are open, a polite refusal.
 */
final class CheckPipeline extends ChannelInitializer<Channel> {

  /** Chunks of a body, which the check never reads, are cut to this. */
  private static final int MAX_CHUNK_BYTES = 8192;

  /** How long a refused connection may still send before it is closed (lingering close). */
  private static final long REFUSAL_LINGER_MILLIS = 1_000;

  /**
   * The listener's limits.
   *
   * @param idleTimeout a connection idle this long is closed; zero for never
   * @param maxConnections connections open at once; the next ones are answered 503 and closed
   * @param maxHeaderBytes longest request line, and largest header block, accepted (431/414 above)
   */
  record Limits(Duration idleTimeout, int maxConnections, int maxHeaderBytes) {
    Limits {
      if (idleTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "keyport.check.idle-timeout must not be negative; use PT0S for no limit");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("keyport.check.max-connections must be at least 1");
      }
      if (maxHeaderBytes < 1024) {
        throw new IllegalArgumentException(
            "keyport.check.max-header-size must be at least 1024 bytes");
      }
    }
  }

  private final AuthCheck check;
  private final Executor workers;
  private final Limits limits;
  private final AtomicInteger open = new AtomicInteger();

  CheckPipeline(AuthCheck check, Executor workers, Limits limits) {
    this.check = check;
    this.workers = workers;
    this.limits = limits;
  }

  /** Connections open now, refused ones included until they are closed. */
  int openConnections() {
    return open.get();
  }

  @Override
  protected void initChannel(Channel ch) {
    boolean admitted = open.incrementAndGet() <= limits.maxConnections();
    ch.closeFuture().addListener(closed -> open.decrementAndGet());
    if (!admitted) {
      ch.pipeline().addLast(new HttpResponseEncoder(), new Refusal(check));
      return;
    }
    ch.pipeline()
        .addLast(
            new HttpServerCodec(limits.maxHeaderBytes(), limits.maxHeaderBytes(), MAX_CHUNK_BYTES),
            new CheckHandler(check, workers, limits.idleTimeout().toNanos()));
  }

  /**
   * Over the connection cap: 503 {@code unavailable} with {@code Retry-After}, as the check answers
   * when it has no capacity left, then closed. The output is shut first and what the client still
   * sends is read and dropped for a moment, so that closing does not reset the connection before
   * the client has read the answer.
   */
  private static final class Refusal extends ChannelInboundHandlerAdapter {
    private final AuthCheck check;

    Refusal(AuthCheck check) {
      this.check = check;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      FullHttpResponse refusal = CheckHandler.response(check.overloaded(Front.LISTENER));
      refusal.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
      refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      Channel channel = ctx.channel();
      if (channel instanceof DuplexChannel duplex) {
        ctx.writeAndFlush(refusal).addListener(written -> duplex.shutdownOutput());
        ctx.executor().schedule(() -> ctx.close(), REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
      } else {
        ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ReferenceCountUtil.release(message);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
