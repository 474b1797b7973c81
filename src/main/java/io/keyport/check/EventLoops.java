package io.keyport.check;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.concurrent.ThreadFactory;

/**
 * The Netty threads of a check front (the HTTP listener, the gRPC server): one that accepts and one
 * per core that read, decide and answer; epoll where the OS has it.
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
  static EventLoops start(ThreadFactory threads) {
    int count = Runtime.getRuntime().availableProcessors();
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    boolean epoll = Epoll.isAvailable();
    return epoll
        ? new EventLoops(
            new EpollEventLoopGroup(1, threads), new EpollEventLoopGroup(count, threads), true)
        : new EventLoops(
            new NioEventLoopGroup(1, threads), new NioEventLoopGroup(count, threads), false);
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
