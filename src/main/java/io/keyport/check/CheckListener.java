package io.keyport.check;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The check on a dedicated listener ({@code keyport.check.port}), so gateways can call it off the
 * public port and at about nginx's speed: Netty (epoll where the OS has it) inside the same JVM,
 * deciding with the same {@link AuthCheck} as the servlet. A cached key is answered on the I/O
 * thread; one that needs PostgreSQL is handed to a managed worker so the I/O thread never blocks.
 */
@ApplicationScoped
public class CheckListener {

  private static final Logger LOG = Logger.getLogger(CheckListener.class.getName());
  private static final int MAX_HEADER_BYTES = 16 * 1024;

  @Inject private AuthCheck check;
  @Resource private ManagedThreadFactory threads;

  /** Created by payara/post-boot-commands.asadmin: 16 threads, at most 10,000 waiting checks. */
  @Resource(lookup = "concurrent/keyport-check")
  private ManagedExecutorService workers;

  @Inject
  @ConfigProperty(name = "keyport.check.port")
  Optional<Integer> port;

  @Inject
  @ConfigProperty(name = "keyport.check.bind-address", defaultValue = "0.0.0.0")
  String bindAddress;

  private EventLoopGroup boss;
  private EventLoopGroup io;
  private Channel channel;

  /** Starts listening if {@code keyport.check.port} is set. */
  public void start() throws InterruptedException {
    if (port.isEmpty()) {
      return;
    }
    boolean epoll = Epoll.isAvailable();
    int ioThreads = Runtime.getRuntime().availableProcessors();
    boss = epoll ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
    io =
        epoll
            ? new EpollEventLoopGroup(ioThreads, threads)
            : new NioEventLoopGroup(ioThreads, threads);
    channel =
        new ServerBootstrap()
            .group(boss, io)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192))
                        .addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress(bindAddress, port.get()))
            .sync()
            .channel();
    LOG.info(
        "Auth check listening on "
            + bindAddress
            + ":"
            + port.get()
            + (epoll ? " (epoll)" : " (nio)"));
  }

  @PreDestroy
  void stop() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (boss != null) {
      boss.shutdownGracefully();
      io.shutdownGracefully();
    }
  }

  /**
   * One per connection, used only on its I/O thread. HTTP/1.1 answers pipelined requests in the
   * order they came: while one waits for PostgreSQL, the requests behind it wait here (and the
   * connection is not read further) instead of being answered ahead of it, which would give a
   * client one key's answer for another's request.
   */
  private final class Handler extends SimpleChannelInboundHandler<HttpObject> {

    private final Deque<HttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;
    private boolean closing;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
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
      if (request.decoderResult().isFailure()) {
        reply(ctx, plain(HttpResponseStatus.BAD_REQUEST), false);
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
              check.keyHeader());
      Optional<Verdict> fast = check.decideFromMemory(checked);
      if (fast.isPresent()) {
        reply(ctx, response(fast.get()), keepAlive);
        return;
      }
      busy = true;
      ctx.channel().config().setAutoRead(false);
      try {
        workers.execute(
            () -> {
              FullHttpResponse answer = response(check.decide(checked));
              ctx.executor().execute(() -> answered(ctx, answer, keepAlive));
            });
      } catch (RejectedExecutionException overloaded) {
        answered(ctx, response(check.overloaded()), keepAlive);
      }
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
  }

  private static FullHttpResponse response(Verdict verdict) {
    ByteBuf body =
        verdict.allowed()
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.copiedBuffer(verdict.body(), StandardCharsets.US_ASCII);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(verdict.status()), body);
    HttpHeaders headers = response.headers();
    for (Map.Entry<String, String> header : verdict.headers().entrySet()) {
      headers.set(header.getKey(), header.getValue());
    }
    if (!verdict.allowed()) {
      headers.set(Verdict.DENY_HEADER, verdict.error());
      headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  private static FullHttpResponse plain(HttpResponseStatus status) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
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
}
