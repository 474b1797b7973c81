package io.keyport.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentTrafficTest {

  private static final long MINUTE = 60_000;
  private static final long T0 = Instant.parse("2026-11-28T16:00:00Z").toEpochMilli();

  @Test
  void countsEachMinuteByOutcome() {
    RecentTraffic traffic = new RecentTraffic();
    traffic.count("admitted", T0 + 1_000);
    traffic.count("admitted", T0 + 59_999);
    traffic.count("rate_limited", T0 + 30_000);
    traffic.count("admitted", T0 + MINUTE);

    List<RecentTraffic.Minute> hour = traffic.lastHour(T0 + MINUTE + 5_000);

    assertEquals(60, hour.size());
    RecentTraffic.Minute last = hour.get(59);
    RecentTraffic.Minute before = hour.get(58);
    assertEquals(Instant.ofEpochMilli(T0 + MINUTE), last.start());
    assertEquals(Instant.ofEpochMilli(T0), before.start());
    assertEquals(2L, before.counts().get("admitted"));
    assertEquals(1L, before.counts().get("rate_limited"));
    assertEquals(0L, before.counts().get("quota_exceeded"));
    assertEquals(3, before.total());
    assertEquals(1L, last.counts().get("admitted"));
    assertEquals(RecentTraffic.OUTCOMES, List.copyOf(last.counts().keySet()));
  }

  @Test
  void aMinuteAnHourOldIsForgottenWhenItsSlotIsReused() {
    RecentTraffic traffic = new RecentTraffic();
    traffic.count("admitted", T0);
    traffic.count("admitted", T0);
    // Sixty minutes later the same slot serves a new minute: it starts from zero.
    traffic.count("route_not_allowed", T0 + 60 * MINUTE);

    List<RecentTraffic.Minute> hour = traffic.lastHour(T0 + 60 * MINUTE);

    assertEquals(0L, hour.get(59).counts().get("admitted"));
    assertEquals(1L, hour.get(59).counts().get("route_not_allowed"));
    assertEquals(0, hour.stream().limit(59).mapToLong(RecentTraffic.Minute::total).sum());
  }

  @Test
  void minutesNotCountedInAreZeroEvenIfTheirSlotHoldsAnOlderMinute() {
    RecentTraffic traffic = new RecentTraffic();
    traffic.count("admitted", T0);

    // Read ninety minutes later: the slot still holds T0's count, which is out of the window.
    List<RecentTraffic.Minute> hour = traffic.lastHour(T0 + 90 * MINUTE);

    assertEquals(0, hour.stream().mapToLong(RecentTraffic.Minute::total).sum());
  }

  @Test
  void unknownOutcomesAreNotCounted() {
    RecentTraffic traffic = new RecentTraffic();
    traffic.count("missing_api_key", T0);

    assertEquals(0, traffic.lastHour(T0).get(59).total());
  }
}
