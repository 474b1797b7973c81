package io.keyport.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucket;
import io.keyport.catalog.RateUnit;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Two nodes' slices over one bucket standing in for Redis, on a clock moved by hand. */
class TokenSlicesTest {

  /** The shared bucket, as {@link SharedBuckets} answers from Redis; counts the calls. */
  private final class Bank implements TokenSlices.Bank {
    LocalBucket bucket;
    int reservations;

    @Override
    public TokenSlices.Reservation reserve(UUID keyId, int requests, RateUnit unit, long tokens) {
      reservations++;
      VerboseResult<Long> taken =
          bucket(requests, unit).asVerbose().tryConsumeAsMuchAsPossible(tokens);
      BucketState state = taken.getState();
      long wait =
          taken.getValue() > 0
              ? 0
              : state.calculateDelayNanosAfterWillBePossibleToConsume(
                  1, taken.getOperationTimeNanos(), false);
      return new TokenSlices.Reservation(taken.getValue(), state.getAvailableTokens(), wait);
    }

    @Override
    public void giveBack(UUID keyId, int requests, RateUnit unit, long tokens) {
      bucket(requests, unit).addTokens(tokens);
    }

    LocalBucket bucket(int requests, RateUnit unit) {
      if (bucket == null) {
        bucket =
            Bucket.builder()
                .withCustomTimePrecision(clock)
                .addLimit(RateBuckets.limit(requests, unit))
                .build();
      }
      return bucket;
    }
  }

  private final RateBucketsTest.HandClock clock = new RateBucketsTest.HandClock();
  private final Bank redis = new Bank();
  private final TokenSlices nodeA = new TokenSlices(clock, redis);
  private final TokenSlices nodeB = new TokenSlices(clock, redis);
  private final UUID key = UUID.randomUUID();

  @Test
  void goldIsExactlyFiveAcrossTwoNodesAndRefusalsThenStayLocal() {
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      Admission answer = (i % 2 == 0 ? nodeA : nodeB).take(key, 5, RateUnit.MINUTE);
      admitted += answer.admitted() ? 1 : 0;
      if (!answer.admitted()) {
        assertEquals(Admission.RATE_LIMITED, answer.refusal());
        assertEquals(12, answer.retryAfter(), "one token of 5/minute takes 12 s");
      }
    }
    assertEquals(5, admitted);
    assertEquals(7, redis.reservations, "one per token, then one refusal per node");
    assertFalse(nodeA.fromSlice(key, 5, RateUnit.MINUTE).admitted(), "refused from memory");

    clock.advance(Duration.ofSeconds(12));
    assertNull(nodeA.fromSlice(key, 5, RateUnit.MINUTE), "a token may have refilled: ask Redis");
    assertTrue(nodeA.take(key, 5, RateUnit.MINUTE).admitted());
    assertFalse(nodeB.take(key, 5, RateUnit.MINUTE).admitted(), "that one token was A's");
  }

  @Test
  void aHighLimitAcrossTwoNodesAdmitsNoMoreThanTheLimitWithOneRedisCallPerSlice() {
    int limit = 10_000;
    int admitted = 0;
    for (int i = 0; i < 3 * limit; i++) {
      admitted += (i % 2 == 0 ? nodeA : nodeB).take(key, limit, RateUnit.HOUR).admitted() ? 1 : 0;
    }
    assertEquals(limit, admitted, "every admitted request spent a token Redis handed out");
    assertEquals(100, TokenSlices.sliceSize(limit));
    assertTrue(
        redis.reservations <= limit / 100 + 4,
        "one reservation per slice, then a refusal per node: " + redis.reservations);
  }

  @Test
  void unusedTokensGoBackAfterTheLifetimeSoTheOtherNodeCanUseThem() {
    int limit = 200; // slices of 2
    for (int i = 0; i < limit - 1; i++) {
      assertTrue(nodeB.take(key, limit, RateUnit.DAY).admitted(), "request " + i);
    }
    assertEquals(0, redis.bucket.getAvailableTokens(), "B holds the last token in its slice");
    assertFalse(nodeA.take(key, limit, RateUnit.DAY).admitted(), "none left for A in Redis");

    nodeA.giveBackOld();
    nodeB.giveBackOld();
    assertEquals(0, redis.bucket.getAvailableTokens(), "slices younger than their lifetime stay");

    clock.advance(TokenSlices.LIFETIME);
    nodeA.giveBackOld();
    nodeB.giveBackOld();
    long back = redis.bucket.getAvailableTokens();
    assertEquals(1, back, "B's unused token went back");
    clock.advance(Duration.ofMinutes(8)); // past A's remembered refusal (one token: 7.2 min)
    assertTrue(nodeA.take(key, limit, RateUnit.DAY).admitted(), "A may use what B gave back");
  }

  @Test
  void aChangedLimitIsAnotherSlice() {
    assertTrue(nodeA.take(key, 1_000, RateUnit.MINUTE).admitted());
    assertNotNull(nodeA.fromSlice(key, 1_000, RateUnit.MINUTE));
    assertNull(nodeA.fromSlice(key, 2_000, RateUnit.MINUTE));
  }

  @Test
  void remainingCountsWhatRedisHadLeftAndWhatTheSliceHolds() {
    Admission first = nodeA.take(key, 1_000, RateUnit.MINUTE);
    assertEquals(999, first.remaining(), "990 in Redis plus 9 in A's slice");
    assertTrue(nodeA.answersFromSlice(key, 1_000, RateUnit.MINUTE), "asking takes nothing");
    assertEquals(998, nodeA.fromSlice(key, 1_000, RateUnit.MINUTE).remaining());
  }
}
