package io.keyport.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyport.catalog.PlanView;
import io.keyport.catalog.RateUnit;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class WordingTest {

  private final Wording wording = new Wording();

  @Test
  void aLimitReadsAsASentence() {
    assertEquals("5 requests per minute", Wording.limit(plan(5, RateUnit.MINUTE), Locale.ENGLISH));
    assertEquals("1 request per minute", Wording.limit(plan(1, RateUnit.MINUTE), Locale.ENGLISH));
    assertEquals(
        "10,000 requests per day", Wording.limit(plan(10_000, RateUnit.DAY), Locale.ENGLISH));
  }

  @Test
  void aMonthlyQuotaFollowsTheRate() {
    PlanView plan = new PlanView("p", "P", null, 5, RateUnit.MINUTE, 10_000L, null);
    assertEquals("5 requests per minute, 10,000 per month", Wording.limit(plan, Locale.ENGLISH));
  }

  @Test
  void aPlanWithoutLimitSaysSo() {
    assertEquals("No rate limit", Wording.limit(plan(null, null), Locale.ENGLISH));
  }

  @Test
  void timesAreShownInUtc() {
    Instant instant = Instant.parse("2026-11-28T14:05:00Z");
    assertEquals("28 Nov 2026, 14:05 UTC", wording.dateTime(instant));
    assertEquals("28 Nov 2026", wording.date(instant));
    assertEquals("", wording.date(null));
  }

  private static PlanView plan(Integer requests, RateUnit unit) {
    return new PlanView("p", "P", null, requests, unit, null, null);
  }
}
