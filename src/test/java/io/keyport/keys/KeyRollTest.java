package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.catalog.UsagePlan;
import io.keyport.identity.User;
import io.keyport.platform.RequestRefused;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rolling a key (SPEC §11) on a clock the test moves: the grace, its end, and its bounds. */
class KeyRollTest {

  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  private static ApiKey key(Instant expiresAt) {
    return new ApiKey(
        new User("dev@example.com", "Dev", "x", Set.of("developer")),
        null,
        new UsagePlan("gold", "Gold", ""),
        "ci",
        "hash-1",
        "kp_AAAA…",
        T0.minus(Duration.ofDays(1)),
        expiresAt,
        Map.of());
  }

  @Test
  void thePreviousValuePassesUntilTheGraceEndsAndNotAMomentLonger() {
    ApiKey key = key(null);
    Instant until = key.roll("hash-2", "kp_BBBB…", T0, Duration.ofHours(1));
    assertEquals(T0.plus(Duration.ofHours(1)), until);
    assertEquals("hash-2", key.getKeyHash());
    assertEquals("hash-1", key.getPreviousKeyHash());
    assertEquals("kp_BBBB…", key.getHint());
    assertTrue(key.inGrace(T0));
    assertTrue(key.inGrace(until.minusNanos(1000)));
    assertFalse(key.inGrace(until));
    assertFalse(key.inGrace(until.plusSeconds(1)));
    Rolling rolling = key.rolling(T0.plusSeconds(60)).orElseThrow();
    assertEquals("kp_AAAA…", rolling.previousHint());
    assertEquals(until, rolling.previousValidUntil());
    assertTrue(key.rolling(until).isEmpty());
  }

  @Test
  void aRollWithoutGraceEndsThePreviousValueAtOnce() {
    ApiKey key = key(null);
    assertEquals(T0, key.roll("hash-2", "kp_BBBB…", T0, Duration.ZERO));
    assertFalse(key.inGrace(T0));
  }

  @Test
  void theGraceNeverOutlastsTheKeysExpiry() {
    Instant expiry = T0.plus(Duration.ofHours(2));
    ApiKey key = key(expiry);
    assertEquals(expiry, key.roll("hash-2", "kp_BBBB…", T0, Duration.ofDays(7)));
  }

  @Test
  void rollingAgainDuringAGraceReplacesTheOlderValue() {
    ApiKey key = key(null);
    key.roll("hash-2", "kp_BBBB…", T0, Duration.ofDays(1));
    Instant later = T0.plus(Duration.ofHours(1));
    key.roll("hash-3", "kp_CCCC…", later, Duration.ofMinutes(5));
    assertEquals("hash-2", key.getPreviousKeyHash());
    assertEquals("kp_BBBB…", key.rolling(later).orElseThrow().previousHint());
    assertFalse(key.inGrace(later.plus(Duration.ofMinutes(5))));
  }

  @Test
  void endingTheGraceEarlyStopsThePreviousValueNow() {
    ApiKey key = key(null);
    key.roll("hash-2", "kp_BBBB…", T0, Duration.ofDays(7));
    Instant now = T0.plus(Duration.ofMinutes(10));
    assertTrue(key.endGrace(now));
    assertFalse(key.inGrace(now));
    assertFalse(key.endGrace(now.plusSeconds(1)), "nothing left to end");
  }

  @Test
  void thePreviousValueAsTheCheckSeesItExpiresAtTheGraceEndOrTheKeysExpiry() {
    LiveKey live = new LiveKey(null, "dev@example.com", "petstore", "gold", null, Map.of());
    Instant graceEnd = T0.plusSeconds(2);
    LiveKey previous = KeyLookup.previousValue(live, graceEnd);
    assertFalse(previous.expiredAt(T0));
    assertFalse(previous.expiredAt(graceEnd.minusMillis(1)));
    assertTrue(previous.expiredAt(graceEnd));
    assertFalse(live.expiredAt(graceEnd.plusSeconds(3600)), "the new value goes on");
    LiveKey expiring =
        new LiveKey(null, "dev@example.com", "petstore", "gold", T0.plusSeconds(1), Map.of());
    assertEquals(T0.plusSeconds(1), KeyLookup.previousValue(expiring, graceEnd).expiresAt());
  }

  @Test
  void theGracePeriodIsZeroToThirtyDays() {
    assertEquals(Duration.ZERO, KeyRules.gracePeriod(0L));
    assertEquals(Duration.ofDays(30), KeyRules.gracePeriod(2_592_000L));
    for (Long bad : new Long[] {null, -1L, 2_592_001L}) {
      RequestRefused refused =
          assertThrows(RequestRefused.class, () -> KeyRules.gracePeriod(bad), "" + bad);
      assertEquals("gracePeriodSeconds", refused.field());
      assertTrue(refused.getMessage().contains("2592000"), refused.getMessage());
    }
  }

  @Test
  void aNeverRolledKeyHasNoGrace() {
    ApiKey key = key(null);
    assertNull(key.getPreviousKeyHash());
    assertFalse(key.inGrace(T0));
    assertFalse(key.endGrace(T0));
  }
}
