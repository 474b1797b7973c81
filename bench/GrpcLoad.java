// The gRPC load generator of bench/grpc.sh: run as a single-file program on Keyport's compile
// classpath (grpc-netty, Envoy's generated API),
//   java -cp <classpath> bench/GrpcLoad.java <host> <port> <api-key> <connections> <in-flight>
//        <warmup-seconds> <seconds>
// It opens <connections> HTTP/2 connections, keeps <in-flight> unary Authorization/Check calls
// going over them at all times (spread evenly), warms up, then measures, and prints one line:
//   BENCH rps=<calls/s> p50_ms=<..> p99_ms=<..> calls=<n> not_ok=<n> errors=<n>
// A call counts only if its answer is OK (status.code 0): a denied or failed call is reported.
//
//   java -cp <classpath> bench/GrpcLoad.java frame <api-key> <file>
// writes the same call's request as it goes on the wire (gRPC's 5-byte length prefix, then the
// CheckRequest), for h2load's --data: bench/grpc.sh's (g2) run sends it with nghttp2's C client.

import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

public class GrpcLoad {

  /** Latencies in microseconds, one slot per call, per stream; merged at the end. */
  static final class Stream implements StreamObserver<CheckResponse> {
    final AuthorizationGrpc.AuthorizationStub stub;
    final CheckRequest request;
    final AtomicBoolean measuring;
    final AtomicBoolean stopping;
    long[] latencies = new long[1 << 16];
    int count;
    long started;
    final AtomicLong notOk;
    final AtomicLong errors;

    Stream(AuthorizationGrpc.AuthorizationStub stub, CheckRequest request, AtomicBoolean measuring,
        AtomicBoolean stopping, AtomicLong notOk, AtomicLong errors) {
      this.stub = stub;
      this.request = request;
      this.measuring = measuring;
      this.stopping = stopping;
      this.notOk = notOk;
      this.errors = errors;
    }

    void next() {
      if (stopping.get()) {
        return;
      }
      started = System.nanoTime();
      stub.withDeadlineAfter(2, TimeUnit.SECONDS).check(request, this);
    }

    @Override
    public void onNext(CheckResponse response) {
      if (response.getStatus().getCode() != 0 && measuring.get()) {
        notOk.incrementAndGet();
      }
    }

    @Override
    public void onError(Throwable t) {
      if (measuring.get()) {
        errors.incrementAndGet();
      }
      next();
    }

    @Override
    public void onCompleted() {
      if (measuring.get()) {
        if (count == latencies.length) {
          latencies = Arrays.copyOf(latencies, count * 2);
        }
        latencies[count++] = (System.nanoTime() - started) / 1_000;
      }
      next();
    }
  }

  /** The call every stream makes: GET /petstore/pets with the key, as Envoy describes it. */
  static CheckRequest request(String apiKey) {
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setMethod("GET")
                                .setPath("/petstore/pets")
                                .setHost("bench.example")
                                .putHeaders(":authority", "bench.example")
                                .putHeaders("api-key", apiKey))))
        .build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("frame")) {
      byte[] message = request(args[1]).toByteArray();
      ByteBuffer framed = ByteBuffer.allocate(5 + message.length);
      framed.put((byte) 0).putInt(message.length).put(message); // not compressed, length, message
      Files.write(Path.of(args[2]), framed.array());
      return;
    }
    if (args.length != 7) {
      System.err.println(
          "usage: GrpcLoad <host> <port> <api-key> <connections> <in-flight> <warmup-s> <seconds>\n"
              + "       GrpcLoad frame <api-key> <file>");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int connections = Integer.parseInt(args[3]);
    int inFlight = Integer.parseInt(args[4]);
    int warmup = Integer.parseInt(args[5]);
    int seconds = Integer.parseInt(args[6]);
    CheckRequest request = request(args[2]);
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      // One channel is one HTTP/2 connection; calls complete on the Netty thread (direct).
      channels.add(
          NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build());
    }
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicLong notOk = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < inFlight; i++) {
      streams.add(
          new Stream(
              AuthorizationGrpc.newStub(channels.get(i % connections)),
              request, measuring, stopping, notOk, errors));
    }
    streams.forEach(Stream::next);
    Thread.sleep(warmup * 1000L);
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    stopping.set(true);
    Thread.sleep(500);
    int total = 0;
    for (Stream stream : streams) {
      total += stream.count;
    }
    long[] all = new long[total];
    int at = 0;
    for (Stream stream : streams) {
      System.arraycopy(stream.latencies, 0, all, at, stream.count);
      at += stream.count;
    }
    Arrays.sort(all);
    double rps = total / (elapsed / 1e9);
    System.out.printf(
        "BENCH rps=%.0f p50_ms=%.3f p99_ms=%.3f calls=%d not_ok=%d errors=%d%n",
        rps,
        total == 0 ? 0 : all[total / 2] / 1000.0,
        total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.99))] / 1000.0,
        total,
        notOk.get(),
        errors.get());
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
  }
}
