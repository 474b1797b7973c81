package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.platform.RequestRefused;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyCreditsTest {

  private static final Instant SET = Instant.parse("2026-12-04T17:30:00Z");

  @Test
  void dailyRefillComesAtTheNextUtcMidnightAndReplacesWhatIsLeft() {
    KeyCredits credits = KeyRules.credits(grant(3L, 50L, "DAILY"), SET, 1);
    assertEquals(Instant.parse("2026-12-04T00:00:00Z"), credits.refilledAt());
    assertEquals(3, credits.remainingAt(SET));
    Instant lastMoment = Instant.parse("2026-12-04T23:59:59.999Z");
    assertFalse(credits.refillDue(lastMoment));
    assertEquals(3, credits.remainingAt(lastMoment));
    assertEquals(1, credits.retryAfterSeconds(lastMoment));
    Instant midnight = Instant.parse("2026-12-05T00:00:00Z");
    assertTrue(credits.refillDue(midnight));
    assertEquals(50, credits.remainingAt(midnight));
    assertEquals(Instant.parse("2026-12-06T00:00:00Z"), credits.nextRefillAt(midnight));
    assertEquals(6 * 3600 + 30 * 60, credits.retryAfterSeconds(SET));
  }

  @Test
  void monthlyRefillComesOnTheFirstAcrossMonthAndYearEnds() {
    KeyCredits credits =
        KeyRules.credits(grant(0L, 1000L, "MONTHLY"), Instant.parse("2026-12-31T23:00:00Z"), 1);
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), credits.refilledAt());
    assertEquals(0, credits.remainingAt(Instant.parse("2026-12-31T23:59:59Z")));
    assertEquals(3600, credits.retryAfterSeconds(Instant.parse("2026-12-31T23:00:00Z")));
    assertEquals(1000, credits.remainingAt(Instant.parse("2027-01-01T00:00:00Z")));
    assertEquals(
        Instant.parse("2027-02-01T00:00:00Z"),
        credits.nextRefillAt(Instant.parse("2027-01-31T12:00:00Z")));
    KeyCredits february =
        KeyRules.credits(grant(5L, 10L, "MONTHLY"), Instant.parse("2028-02-29T10:00:00Z"), 1);
    assertEquals(
        Instant.parse("2028-03-01T00:00:00Z"),
        february.nextRefillAt(Instant.parse("2028-02-29T10:00:00Z")));
  }

  @Test
  void withoutRefillCreditsNeverComeBackAndNoRetryAfterIsGiven() {
    KeyCredits credits = KeyRules.credits(grant(2L, null, null), SET, 1);
    assertFalse(credits.refills());
    assertEquals(2, credits.remainingAt(SET.plusSeconds(400L * 86400)));
    assertNull(credits.nextRefillAt(SET));
    assertEquals(0, credits.retryAfterSeconds(SET));
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertField("credits.remaining", new CreditGrant(null, null));
    assertField("credits.remaining", grant(-1L, null, null));
    assertField("credits.remaining", grant(KeyRules.MAX_CREDITS + 1, null, null));
    assertField("credits.refill.amount", grant(1L, 0L, "DAILY"));
    assertField("credits.refill.amount", grant(1L, null, "DAILY"));
    assertField("credits.refill.interval", grant(1L, 5L, "WEEKLY"));
    assertField("credits.refill.interval", grant(1L, 5L, null));
    assertField("credits.refill.interval", grant(1L, 5L, "daily"));
  }

  private static void assertField(String field, CreditGrant grant) {
    RequestRefused refused =
        assertThrows(RequestRefused.class, () -> KeyRules.credits(grant, SET, 1));
    assertEquals(field, refused.field());
  }

  private static CreditGrant grant(Long remaining, Long amount, String interval) {
    return new CreditGrant(
        remaining,
        amount == null && interval == null ? null : new CreditGrant.Refill(amount, interval));
  }
}
