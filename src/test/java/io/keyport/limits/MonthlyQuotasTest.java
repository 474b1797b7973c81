package io.keyport.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.keys.LiveKey;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MonthlyQuotasTest {

  /** A clock the test sets by hand. */
  static final class SetClock extends Clock {
    Instant now;

    SetClock(String instant) {
      now = Instant.parse(instant);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final QuotaScope key = new QuotaScope("dev@example.com", "petstore", "gold");
  private final List<YearMonth> reads = new ArrayList<>();

  @Test
  void admitsUpToTheQuotaCountingWhatTheDatabaseAlreadyHolds() {
    SetClock clock = new SetClock("2026-11-28T12:00:00Z");
    MonthlyQuotas quotas = new MonthlyQuotas(clock, (id, month) -> stored(month, 7));
    assertTrue(quotas.take(key, 10).admitted());
    assertTrue(quotas.take(key, 10).admitted());
    assertTrue(quotas.take(key, 10).admitted());
    Admission refused = quotas.take(key, 10);
    assertFalse(refused.admitted());
    assertEquals(Admission.QUOTA_EXCEEDED, refused.refusal());
    assertEquals(10, quotas.used(key));
    assertEquals(List.of(YearMonth.of(2026, 11)), reads, "the stored count is read once");
  }

  @Test
  void theQuotaResetsAtMidnightUtcOnTheFirst() {
    SetClock clock = new SetClock("2026-11-30T23:59:59Z");
    MonthlyQuotas quotas = new MonthlyQuotas(clock, (id, month) -> stored(month, 0));
    assertTrue(quotas.take(key, 1).admitted());
    Admission refused = quotas.take(key, 1);
    assertFalse(refused.admitted());
    assertEquals(1, refused.retryAfter(), "one second to the turn of the month");
    clock.now = Instant.parse("2026-12-01T00:00:00Z");
    assertTrue(quotas.take(key, 1).admitted());
  }

  @Test
  void theQuotaResetsAcrossTheYearEnd() {
    SetClock clock = new SetClock("2026-12-31T23:00:00Z");
    MonthlyQuotas quotas = new MonthlyQuotas(clock, (id, month) -> stored(month, 0));
    assertTrue(quotas.take(key, 1).admitted());
    Admission refused = quotas.take(key, 1);
    assertEquals(3600, refused.retryAfter());
    clock.now = Instant.parse("2027-01-01T00:00:00Z");
    assertFalse(quotas.isLoaded(key), "a new month needs its count read");
    assertTrue(quotas.take(key, 1).admitted());
    assertEquals(List.of(YearMonth.of(2026, 12), YearMonth.of(2027, 1)), reads);
  }

  @Test
  void aRequestGivenBackDoesNotCount() {
    SetClock clock = new SetClock("2026-11-28T12:00:00Z");
    MonthlyQuotas quotas = new MonthlyQuotas(clock, (id, month) -> stored(month, 0));
    assertTrue(quotas.take(key, 1).admitted());
    quotas.giveBack(key);
    assertTrue(quotas.take(key, 1).admitted());
  }

  private long stored(YearMonth month, long count) {
    reads.add(month);
    return count;
  }

  @Test
  void aNewKeyOfTheSameUserProductAndPlanContinuesTheMonthsCount() {
    LiveKey deleted = live(UUID.randomUUID(), "dev@example.com", "petstore", "gold");
    LiveKey replacement = live(UUID.randomUUID(), "dev@example.com", "petstore", "gold");
    SetClock clock = new SetClock("2026-11-28T12:00:00Z");
    MonthlyQuotas quotas = new MonthlyQuotas(clock, (scope, month) -> stored(month, 0));
    assertTrue(quotas.take(QuotaScope.of(deleted), 2).admitted());
    assertTrue(quotas.take(QuotaScope.of(deleted), 2).admitted());
    assertFalse(quotas.take(QuotaScope.of(replacement), 2).admitted(), "no fresh quota");
    assertEquals(1, reads.size(), "one count for both keys");
  }

  @Test
  void anotherUserProductOrPlanHasItsOwnCount() {
    QuotaScope mine = QuotaScope.of(live(UUID.randomUUID(), "dev@example.com", "petstore", "gold"));
    assertNotEquals(
        mine, QuotaScope.of(live(UUID.randomUUID(), "eve@example.com", "petstore", "gold")));
    assertNotEquals(
        mine, QuotaScope.of(live(UUID.randomUUID(), "dev@example.com", "tracks", "gold")));
    assertNotEquals(
        mine, QuotaScope.of(live(UUID.randomUUID(), "dev@example.com", "petstore", "silver")));
    SetClock clock = new SetClock("2026-11-28T12:00:00Z");
    MonthlyQuotas quotas = new MonthlyQuotas(clock, (scope, month) -> stored(month, 0));
    assertTrue(quotas.take(mine, 1).admitted());
    assertFalse(quotas.take(mine, 1).admitted());
    QuotaScope silver = new QuotaScope("dev@example.com", "petstore", "silver");
    assertTrue(quotas.take(silver, 1).admitted());
  }

  private static LiveKey live(UUID id, String username, String product, String plan) {
    return new LiveKey(id, username, product, plan, null, Map.of());
  }
}
