package io.keyport.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  private static final Instant FIRST = Instant.parse("2026-12-04T12:00:00Z");
  private static final Instant DEADLINE = FIRST.plus(RetrySchedule.WINDOW);

  @Test
  void waitsFourTimesLongerAfterEachFailureUpToSixHours() {
    assertEquals(Duration.ofSeconds(5), RetrySchedule.delayAfter(1));
    assertEquals(Duration.ofSeconds(20), RetrySchedule.delayAfter(2));
    assertEquals(Duration.ofSeconds(80), RetrySchedule.delayAfter(3));
    assertEquals(Duration.ofSeconds(320), RetrySchedule.delayAfter(4));
    assertEquals(Duration.ofSeconds(1280), RetrySchedule.delayAfter(5));
    assertEquals(Duration.ofSeconds(5120), RetrySchedule.delayAfter(6));
    assertEquals(Duration.ofSeconds(20480), RetrySchedule.delayAfter(7));
    assertEquals(Duration.ofHours(6), RetrySchedule.delayAfter(8));
    assertEquals(Duration.ofHours(6), RetrySchedule.delayAfter(1000));
    assertThrows(IllegalArgumentException.class, () -> RetrySchedule.delayAfter(0));
  }

  @Test
  void aDeliveryThatAlwaysFailsIsTriedElevenTimesInTwentyFourHoursThenFails() {
    List<Instant> attempts = new ArrayList<>(List.of(FIRST));
    Instant next = RetrySchedule.next(1, FIRST, DEADLINE);
    while (next != null) {
      assertTrue(next.isAfter(attempts.get(attempts.size() - 1)), "attempts move forward");
      attempts.add(next);
      next = RetrySchedule.next(attempts.size(), next, DEADLINE);
    }
    // 0 s, 5 s, 25 s, 105 s, 425 s, 1705 s, 6825 s, 27305 s (7.6 h), 13.6 h, 19.6 h, and 24 h.
    assertEquals(11, attempts.size(), attempts.toString());
    assertEquals(FIRST.plusSeconds(25), attempts.get(2));
    assertEquals(FIRST.plusSeconds(27305), attempts.get(7));
    assertEquals(FIRST.plusSeconds(27305 + 6 * 3600), attempts.get(8));
    assertEquals(DEADLINE, attempts.get(10), "the last try is at the deadline");
  }

  @Test
  void theLastRetryIsAtTheDeadlineAndNoneAfterIt() {
    Instant late = DEADLINE.minusSeconds(3);
    assertEquals(DEADLINE, RetrySchedule.next(9, late, DEADLINE));
    assertNull(RetrySchedule.next(10, DEADLINE, DEADLINE));
    assertNull(RetrySchedule.next(1, DEADLINE.plusSeconds(1), DEADLINE));
  }
}
