package io.keyport.check;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import jakarta.enterprise.concurrent.ContextService;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * The Netty threads of a check front (the HTTP listener, the gRPC server): one that accepts and one
 * per core that read, decide and answer; epoll where the OS has it.
 *
 * <p>They are Netty's own {@link FastThreadLocalThread}s, running in the application's context
 * (Jakarta Concurrency's {@link ContextService}: the WAR's class loader, its naming context). Netty
 * keeps its per-thread state (buffer caches, recyclers, header encoders) in a field of such a
 * thread; on any other thread, a managed one included, it looks that state up in a JDK {@code
 * ThreadLocal}, and in Payara's threads that lookup missed its slot: 7% of the gRPC front's CPU
 * samples and 1.3% of the listener's were {@code InternalThreadLocalMap.slowGet} (bench/README).
 * {@link #stop} ends them with the front, from its {@code @PreDestroy}.
 */
record EventLoops(EventLoopGroup boss, EventLoopGroup io, boolean epoll) {

  /**
   * Starts the threads.
   *
   * <p>Also turns off Netty's sampling of buffers for leak reports. It records a stack trace for
   * one buffer in 128 and touches every message on its way down the pipeline: 3.3% of Keyport's CPU
   * samples behind nginx {@code auth_request} (bench/README, "End to end through nginx"). The
   * fronts' buffers are released by Netty's own codecs and handlers. The level is global to the
   * WAR's copy of Netty, so the Redis client (Lettuce) goes unsampled too. {@code
   * -Dio.netty.leakDetection.level} set on the JVM still wins: {@code simple} brings it back.
   */
  static EventLoops start(ContextService contexts, String name) {
    int count = Runtime.getRuntime().availableProcessors();
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    ThreadFactory boss = threads(contexts, name + "-accept");
    ThreadFactory io = threads(contexts, name + "-io");
    boolean epoll = Epoll.isAvailable();
    return epoll
        ? new EventLoops(new EpollEventLoopGroup(1, boss), new EpollEventLoopGroup(count, io), true)
        : new EventLoops(new NioEventLoopGroup(1, boss), new NioEventLoopGroup(count, io), false);
  }

  /**
   * Netty's threads, each running in the context captured here, on the thread that starts the
   * front; outside the container ({@code contexts} null, in tests) with no context to apply.
   */
  private static ThreadFactory threads(ContextService contexts, String name) {
    Consumer<Runnable> inContext =
        contexts == null ? Runnable::run : contexts.contextualConsumer(Runnable::run);
    return new DefaultThreadFactory(name, true) {
      @Override
      protected Thread newThread(Runnable loop, String threadName) {
        return new FastThreadLocalThread(threadGroup, () -> inContext.accept(loop), threadName);
      }
    };
  }

  Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** How the log names the transport. */
  String transport() {
    return epoll ? "epoll" : "nio";
  }

  void stop() {
    boss.shutdownGracefully();
    io.shutdownGracefully();
  }
}
