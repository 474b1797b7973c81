package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.platform.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The check listener's pipeline on an {@link EmbeddedChannel}, no server: what the codec and the
 * handler answer, in which order, and when they close a connection. Time is the channel's own
 * clock, moved by the test.
 */
class CheckPipelineTest {

  private static final CheckPipeline.Limits LIMITS =
      new CheckPipeline.Limits(Duration.ofSeconds(60), 100, 16 * 1024);

  /** Decides by the key: "good" 200 from memory, "slow" needs PostgreSQL, anything else 401. */
  private final AuthCheck check = new ScriptedCheck();

  /** Holds what would run on a worker until the test lets it. */
  private final Deque<Runnable> worker = new ArrayDeque<>();

  private final Executor heldWorker = worker::add;

  @Test
  void aCachedKeyIsAnsweredWithTheVerdictAndTheConnectionKeptOpen() {
    EmbeddedChannel channel = channel(LIMITS);
    channel.writeInbound(request("/auth/check/petstore/pets", "good", ""));
    String answer = outbound(channel);
    assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
    assertTrue(answer.contains("x-solo-plan: gold\r\n"), answer);
    assertTrue(answer.contains("connection: keep-alive\r\n"), answer);
    assertTrue(channel.isOpen());
  }

  @Test
  void aDenialCarriesItsReasonAndBody() {
    EmbeddedChannel channel = channel(LIMITS);
    channel.writeInbound(request("/auth/check", "nope", ""));
    String answer = outbound(channel);
    assertTrue(answer.startsWith("HTTP/1.1 401 Unauthorized\r\n"), answer);
    assertTrue(answer.contains("x-keyport-deny: invalid_api_key\r\n"), answer);
    assertTrue(answer.endsWith("{\"error\":\"invalid_api_key\"}"), answer);
  }

  @Test
  void otherPathsAre404AndGarbageIs400AndClosed() {
    EmbeddedChannel channel = channel(LIMITS);
    channel.writeInbound(request("/auth/checkout", "good", ""));
    assertTrue(outbound(channel).startsWith("HTTP/1.1 404 Not Found\r\n"));
    channel.writeInbound(ascii("GET /auth/check HTTP/1.1\r\nno colon here\r\n\r\n"));
    assertTrue(outbound(channel).startsWith("HTTP/1.1 400 Bad Request\r\n"));
    assertFalse(channel.isOpen());
  }

  /** A check that needs PostgreSQL holds the requests behind it: answers keep request order. */
  @Test
  void pipelinedRequestsAreAnsweredInOrderWhileOneWaitsForAWorker() {
    EmbeddedChannel channel = channel(LIMITS);
    channel.writeInbound(
        Unpooled.wrappedBuffer(
            request("/auth/check/a", "slow", ""), request("/auth/check/b", "good", "")));
    assertEquals("", outbound(channel), "nothing may overtake the request on the worker");
    assertFalse(channel.config().isAutoRead(), "no more reading while a check waits");
    worker.poll().run();
    channel.runPendingTasks();
    assertEquals(
        "401 200",
        statuses(outbound(channel)),
        "the slow request's answer first, then the next one's");
    assertTrue(channel.config().isAutoRead());
  }

  @Test
  void aFullWorkerQueueIsAnsweredUnavailableNeverAdmitted() {
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new CheckPipeline(
                check,
                task -> {
                  throw new java.util.concurrent.RejectedExecutionException("full");
                },
                LIMITS));
    channel.writeInbound(request("/auth/check", "slow", ""));
    String answer = outbound(channel);
    assertTrue(answer.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), answer);
    assertTrue(answer.contains("x-keyport-deny: unavailable\r\n"), answer);
  }

  // -- issue 12 item 10: idle connections, the connection cap, oversize request heads -----------

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() {
    EmbeddedChannel channel = channel(LIMITS);
    channel.advanceTimeBy(59, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertTrue(channel.isOpen(), "open before the timeout");
    channel.advanceTimeBy(20, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertFalse(channel.isOpen(), "an idle connection is closed");
  }

  @Test
  void aRequestHeadTrickledInWithoutEndingIsClosedAsIdle() {
    EmbeddedChannel channel = channel(LIMITS);
    channel.writeInbound(ascii("GET /auth/check HTTP/1.1\r\n"));
    int seconds = 0;
    while (channel.isOpen() && seconds < 300) {
      channel.advanceTimeBy(10, TimeUnit.SECONDS);
      seconds += 10;
      channel.runScheduledPendingTasks();
      if (channel.isOpen()) {
        channel.writeInbound(ascii("X-a: b\r\n"));
      }
    }
    assertFalse(channel.isOpen(), "a head that never ends does not keep the connection");
    assertTrue(seconds >= 60 && seconds <= 80, "closed after the idle timeout: " + seconds + " s");
  }

  @Test
  void aConnectionInUseIsNotIdleAndOneWaitingForItsAnswerNeitherIs() {
    EmbeddedChannel channel = channel(LIMITS);
    for (int i = 0; i < 4; i++) {
      channel.advanceTimeBy(40, TimeUnit.SECONDS);
      channel.runScheduledPendingTasks();
      channel.writeInbound(request("/auth/check", "good", ""));
      assertTrue(channel.isOpen(), "used every 40 s, never idle");
    }
    outbound(channel);
    channel.writeInbound(request("/auth/check", "slow", ""));
    channel.advanceTimeBy(300, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertTrue(channel.isOpen(), "waiting for a worker is not idle");
    worker.poll().run();
    channel.runPendingTasks();
    assertEquals("401", statuses(outbound(channel)));
    channel.advanceTimeBy(80, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertFalse(channel.isOpen(), "idle again after the answer");
  }

  @Test
  void noIdleTimeoutWhenItIsZero() {
    EmbeddedChannel channel = channel(new CheckPipeline.Limits(Duration.ZERO, 100, 16 * 1024));
    channel.advanceTimeBy(1, TimeUnit.DAYS);
    channel.runScheduledPendingTasks();
    assertTrue(channel.isOpen());
  }

  @Test
  void connectionsOverTheCapAreAnswered503AndClosedUntilOneCloses() {
    CheckPipeline pipeline =
        new CheckPipeline(
            check, heldWorker, new CheckPipeline.Limits(Duration.ofSeconds(60), 2, 16 * 1024));
    EmbeddedChannel first = new EmbeddedChannel(pipeline);
    EmbeddedChannel second = new EmbeddedChannel(pipeline);
    EmbeddedChannel third = new EmbeddedChannel(pipeline);
    String refusal = outbound(third);
    assertTrue(refusal.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), refusal);
    assertTrue(refusal.contains("x-keyport-deny: unavailable\r\n"), refusal);
    assertTrue(refusal.contains("retry-after: 1\r\n"), refusal);
    assertTrue(refusal.contains("connection: close\r\n"), refusal);
    assertTrue(refusal.endsWith("{\"error\":\"unavailable\"}"), refusal);
    assertFalse(third.isOpen(), "refused connections are closed");
    assertTrue(first.isOpen() && second.isOpen());
    assertEquals(2, pipeline.openConnections());

    first.close();
    EmbeddedChannel fourth = new EmbeddedChannel(pipeline);
    fourth.writeInbound(request("/auth/check", "good", ""));
    assertTrue(outbound(fourth).startsWith("HTTP/1.1 200 OK\r\n"), "room again once one closed");
    second.close();
    fourth.close();
    assertEquals(0, pipeline.openConnections());
  }

  @Test
  void anOversizeHeaderBlockIsAnswered431AndClosed() {
    EmbeddedChannel channel = channel(new CheckPipeline.Limits(Duration.ofSeconds(60), 100, 2048));
    channel.writeInbound(request("/auth/check", "good", "X-Big: " + "a".repeat(3000) + "\r\n"));
    String answer = outbound(channel);
    assertTrue(answer.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer);
    assertFalse(channel.isOpen());
  }

  @Test
  void manySmallHeadersOverTheLimitAreAnswered431Too() {
    EmbeddedChannel channel = channel(new CheckPipeline.Limits(Duration.ofSeconds(60), 100, 2048));
    channel.writeInbound(request("/auth/check", "good", "X-a: bbbbbbbbbbbbbbbb\r\n".repeat(200)));
    assertTrue(outbound(channel).startsWith("HTTP/1.1 431 "));
    assertFalse(channel.isOpen());
  }

  @Test
  void anOversizeRequestLineIsAnswered414AndClosed() {
    EmbeddedChannel channel = channel(new CheckPipeline.Limits(Duration.ofSeconds(60), 100, 2048));
    channel.writeInbound(request("/auth/check/" + "a".repeat(3000), "good", ""));
    String answer = outbound(channel);
    assertTrue(answer.startsWith("HTTP/1.1 414 Request-URI Too Long\r\n"), answer);
    assertFalse(channel.isOpen());
  }

  @Test
  void headersJustUnderTheLimitAreRead() {
    EmbeddedChannel channel = channel(new CheckPipeline.Limits(Duration.ofSeconds(60), 100, 2048));
    channel.writeInbound(request("/auth/check", "good", "X-Big: " + "a".repeat(1800) + "\r\n"));
    assertTrue(outbound(channel).startsWith("HTTP/1.1 200 OK\r\n"));
  }

  // ---------------------------------------------------------------------------------------------

  private EmbeddedChannel channel(CheckPipeline.Limits limits) {
    return new EmbeddedChannel(new CheckPipeline(check, heldWorker, limits));
  }

  private static ByteBuf request(String target, String key, String moreHeaders) {
    return ascii(
        "GET "
            + target
            + " HTTP/1.1\r\nHost: check\r\napi-key: "
            + key
            + "\r\n"
            + moreHeaders
            + "\r\n");
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
  }

  /** Everything written so far, as text. */
  private static String outbound(EmbeddedChannel channel) {
    StringBuilder text = new StringBuilder();
    Object message;
    while ((message = channel.readOutbound()) != null) {
      ByteBuf bytes = (ByteBuf) message;
      text.append(bytes.toString(StandardCharsets.ISO_8859_1));
      bytes.release();
    }
    return text.toString();
  }

  private static String statuses(String answers) {
    Matcher status = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(answers);
    StringBuilder found = new StringBuilder();
    while (status.find()) {
      found.append(found.length() == 0 ? "" : " ").append(status.group(1));
    }
    return found.toString();
  }

  private static final class ScriptedCheck extends AuthCheck {
    ScriptedCheck() {
      keyHeader = "api-key";
      headersFromMetadata = Optional.empty();
      metrics = CheckMetrics.of(Metrics.standalone());
      decisions = DecisionLog.off();
      init();
    }

    @Override
    public Optional<Verdict> decideFromMemory(CheckRequest request, Front front) {
      return "slow".equals(request.apiKey())
          ? Optional.empty()
          : Optional.of(decide(request, front));
    }

    @Override
    public Verdict decide(CheckRequest request, Front front) {
      return "good".equals(request.apiKey())
          ? new Verdict(200, null, Map.of("x-solo-plan", "gold"))
          : new Verdict(401, AuthCheck.INVALID, Map.of());
    }
  }
}
