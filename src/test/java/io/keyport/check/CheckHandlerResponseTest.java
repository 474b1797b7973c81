package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The listener's answers, now built from pre-encoded names, lengths and bodies. */
class CheckHandlerResponseTest {

  @Test
  void anAdmissionCarriesEveryVerdictHeaderAndAnEmptyBody() {
    FullHttpResponse response =
        CheckHandler.response(
            new Verdict(200, null, Map.of("x-solo-plan", "gold", "RateLimit-Limit", "10")));
    assertEquals(200, response.status().code());
    assertEquals("gold", response.headers().get("X-Solo-Plan"));
    assertEquals("10", response.headers().get("ratelimit-limit"));
    assertEquals("0", response.headers().get("content-length"));
    assertNull(response.headers().get(Verdict.DENY_HEADER));
    assertEquals(0, response.content().readableBytes());
  }

  @Test
  void aDenialsBodyAndLengthAreTheSameEveryTimeAndEachResponseReadsItFromTheStart() {
    Verdict denied = new Verdict(429, "rate_limited", Map.of("Retry-After", "7"));
    for (int i = 0; i < 3; i++) {
      FullHttpResponse response = CheckHandler.response(denied);
      assertEquals(429, response.status().code());
      assertEquals(
          "{\"error\":\"rate_limited\"}", response.content().toString(StandardCharsets.US_ASCII));
      assertEquals(
          Integer.toString(response.content().readableBytes()),
          response.headers().get("content-length"));
      assertEquals("rate_limited", response.headers().get(Verdict.DENY_HEADER));
      assertEquals("7", response.headers().get("retry-after"));
      assertEquals("application/json", response.headers().get("content-type"));
      response.content().skipBytes(response.content().readableBytes());
      response.release();
    }
  }

  @Test
  void theNettyFrontsGetTheBeanItself() {
    AuthCheck check = AuthCheck.configured("api-key", null);
    assertSame(check, check.unproxied().bean());
  }
}
