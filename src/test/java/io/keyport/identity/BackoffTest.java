package io.keyport.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final Backoff backoff =
      new Backoff(3, Duration.ofSeconds(5), Duration.ofSeconds(40), Duration.ofMinutes(15), 1000);

  @Test
  void locksAfterTheThresholdAndDoublesEachLockoutUpToTheMaximum() {
    assertTrue(backoff.fail("a", T0).isEmpty());
    assertTrue(backoff.fail("a", T0).isEmpty());
    assertEquals(Duration.ZERO, backoff.retryAfter("a", T0));
    assertEquals(Duration.ofSeconds(5), backoff.fail("a", T0).orElseThrow().retryAfter());
    assertEquals(Duration.ofSeconds(5), backoff.retryAfter("a", T0));

    Instant later = T0.plusSeconds(5);
    assertEquals(Duration.ZERO, backoff.retryAfter("a", later));
    assertEquals(Duration.ofSeconds(10), backoff.fail("a", later).orElseThrow().retryAfter());
    later = later.plusSeconds(10);
    assertEquals(Duration.ofSeconds(20), backoff.fail("a", later).orElseThrow().retryAfter());
    later = later.plusSeconds(20);
    assertEquals(Duration.ofSeconds(40), backoff.fail("a", later).orElseThrow().retryAfter());
    later = later.plusSeconds(40);
    assertEquals(Duration.ofSeconds(40), backoff.fail("a", later).orElseThrow().retryAfter());
  }

  @Test
  void failuresWhileLockedDoNotLengthenTheLockout() {
    for (int i = 0; i < 3; i++) {
      backoff.fail("b", T0);
    }
    for (int i = 0; i < 10; i++) {
      assertTrue(backoff.fail("b", T0.plusSeconds(1)).isEmpty());
    }
    assertEquals(Duration.ofSeconds(4), backoff.retryAfter("b", T0.plusSeconds(1)));
    assertEquals(Duration.ZERO, backoff.retryAfter("b", T0.plusSeconds(5)));
  }

  @Test
  void namesAreCountedApartAndForgottenAfterTheWindowOrASuccess() {
    for (int i = 0; i < 3; i++) {
      backoff.fail("c", T0);
    }
    assertEquals(Duration.ZERO, backoff.retryAfter("d", T0));
    Instant muchLater = T0.plus(Duration.ofMinutes(16));
    assertTrue(backoff.fail("c", muchLater).isEmpty(), "a new window starts from scratch");
    backoff.fail("c", muchLater);
    backoff.clear("c");
    assertTrue(backoff.fail("c", muchLater).isEmpty());
    assertTrue(backoff.fail("c", muchLater).isEmpty());
  }

  @Test
  void aSprayOfNamesStaysWithinItsCapacity() {
    Backoff small =
        new Backoff(1, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(1), 10);
    for (int i = 0; i < 100; i++) {
      small.fail("n" + i, T0.plusSeconds(i * 10L));
    }
    assertEquals(Duration.ZERO, small.retryAfter("n0", T0.plusSeconds(990)));
    assertTrue(small.retryAfter("n99", T0.plusSeconds(990)).toSeconds() > 0);
  }
}
