package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which keys the keys page reminds of, on a clock the test moves. */
class ExpiryRemindersTest {

  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  private static KeyView key(String name, Instant expiresAt, KeyStatus status) {
    return new KeyView(
        UUID.randomUUID(),
        name,
        "petstore",
        "Petstore",
        "gold",
        "Gold",
        "kp_AAAA…",
        Map.of(),
        T0.minus(Duration.ofDays(30)),
        expiresAt,
        null,
        status,
        List.of(),
        KeyScopes.NONE,
        null);
  }

  private static List<String> due(Clock clock, List<KeyView> keys) {
    return new ExpiryReminders(clock).dueAmong(keys).stream().map(KeyView::name).toList();
  }

  @Test
  void keysExpiringWithinSevenDaysAreListedSoonestFirstAsTheClockMoves() {
    List<KeyView> keys =
        List.of(
            key("never", null, KeyStatus.ACTIVE),
            key("in-8-days", T0.plus(Duration.ofDays(8)), KeyStatus.ACTIVE),
            key("in-7-days", T0.plus(Duration.ofDays(7)), KeyStatus.ACTIVE),
            key("in-1-hour", T0.plus(Duration.ofHours(1)), KeyStatus.ACTIVE),
            key("expired", T0.minusSeconds(1), KeyStatus.EXPIRED));
    Clock now = Clock.fixed(T0, ZoneOffset.UTC);
    assertEquals(List.of("in-1-hour", "in-7-days"), due(now, keys));

    // A day on, the hour-long one has passed and the 8-day one is 7 days off: listed.
    Clock aDayLater = Clock.offset(now, Duration.ofDays(1));
    assertEquals(List.of("in-7-days", "in-8-days"), due(aDayLater, keys));

    Clock aMonthLater = Clock.offset(now, Duration.ofDays(30));
    assertEquals(List.of(), due(aMonthLater, keys));
  }
}
