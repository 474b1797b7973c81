package io.keyport.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bucket4j.TimeMeter;
import io.keyport.catalog.RateUnit;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RateBucketsTest {

  /** A clock the test moves by hand: no sleeping. */
  static final class HandClock implements TimeMeter {
    long nanos;

    void advance(Duration duration) {
      nanos += duration.toNanos();
    }

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }

  private final HandClock clock = new HandClock();
  private final RateBuckets buckets = new RateBuckets(clock);
  private final UUID key = UUID.randomUUID();

  @Test
  void goldAdmitsExactlyFiveRapidRequestsThenRefusesUntilATokenRefills() {
    for (int i = 1; i <= 5; i++) {
      Admission admitted = buckets.take(key, 5, RateUnit.MINUTE);
      assertTrue(admitted.admitted(), "request " + i);
      assertEquals(5, admitted.limit());
      assertEquals(5 - i, admitted.remaining());
    }
    Admission refused = buckets.take(key, 5, RateUnit.MINUTE);
    assertFalse(refused.admitted());
    assertEquals(Admission.RATE_LIMITED, refused.refusal());
    assertEquals(12, refused.retryAfter(), "one token of 5 per minute refills in 12 s");
    assertEquals(60, refused.resetSeconds(), "an empty bucket is full again in 60 s");
    assertEquals("12", refused.headers().get("Retry-After"));
    assertEquals("0", refused.headers().get("RateLimit-Remaining"));
  }

  @Test
  void aPlanAboveOneRequestPerNanosecondIsEnforcedNotRejected() {
    Admission admitted = buckets.take(key, Integer.MAX_VALUE, RateUnit.SECOND);
    assertTrue(admitted.admitted());
    assertEquals(Integer.MAX_VALUE, admitted.limit());
    assertEquals(Integer.MAX_VALUE - 1, admitted.remaining());
  }

  @Test
  void aTokenRefillsAfterExactlyItsShareOfTheUnit() {
    for (int i = 0; i < 5; i++) {
      buckets.take(key, 5, RateUnit.MINUTE);
    }
    clock.advance(Duration.ofSeconds(12).minusNanos(1));
    assertFalse(buckets.take(key, 5, RateUnit.MINUTE).admitted());
    clock.advance(Duration.ofNanos(1));
    assertTrue(buckets.take(key, 5, RateUnit.MINUTE).admitted());
    assertFalse(buckets.take(key, 5, RateUnit.MINUTE).admitted());
  }

  @Test
  void aFullUnitRefillsTheWholeBucketButNoMore() {
    for (int i = 0; i < 3; i++) {
      buckets.take(key, 3, RateUnit.SECOND);
    }
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertTrue(buckets.take(key, 3, RateUnit.SECOND).admitted());
    }
    assertFalse(buckets.take(key, 3, RateUnit.SECOND).admitted());
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    assertTrue(buckets.take(key, 1, RateUnit.DAY).admitted());
    assertFalse(buckets.take(key, 1, RateUnit.DAY).admitted());
    assertTrue(buckets.take(UUID.randomUUID(), 1, RateUnit.DAY).admitted());
  }

  @Test
  void aRaisedLimitTakesEffectOnTheNextRequest() {
    assertTrue(buckets.take(key, 1, RateUnit.MINUTE).admitted());
    assertFalse(buckets.take(key, 1, RateUnit.MINUTE).admitted());
    Admission raised = buckets.take(key, 100, RateUnit.MINUTE);
    assertTrue(raised.admitted());
    assertEquals(100, raised.limit());
  }

  @Test
  void aLoweredLimitTakesEffectOnTheNextRequest() {
    assertTrue(buckets.take(key, 100, RateUnit.MINUTE).admitted());
    Admission lowered = buckets.take(key, 1, RateUnit.MINUTE);
    assertEquals(1, lowered.limit());
    assertFalse(buckets.take(key, 1, RateUnit.MINUTE).admitted());
  }
}
