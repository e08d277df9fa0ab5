package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.RetryPolicy.Fate;
import java.time.Duration;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.Test;

/** The retry policy on its own: no threads, no buffer, no clock but the numbers given. */
class RetryPolicyTest {
  private static final long MS = 1_000_000;
  private static final RuntimeException DOWN = new CacheWriterException("down");

  private static RetryPolicy policy(WriteBehindConfiguration.Builder config) {
    WriteBehindConfiguration built = config.initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofSeconds(1)).backoffMultiplier(2).jitter(0).build();
    return new RetryPolicy(built, new Backoff(built), () -> 0.5);
  }

  private static Op<String, String> op(String value) {
    return new Op<>("k", value, 0, 0, 0);
  }

  @Test
  void aFailureIsRetriedAfterAGrowingBackoffUntilTheAttemptsAreSpent() {
    RetryPolicy retry = policy(WriteBehindConfiguration.builder().maxAttempts(3));
    Op<String, String> op = op("v");
    assertEquals(Fate.RETRY, retry.charge(op, DOWN, 0, 0, false));
    assertEquals(100 * MS, op.notBefore);
    assertEquals(Fate.RETRY, retry.charge(op, DOWN, 100 * MS, 100 * MS, false));
    assertEquals(300 * MS, op.notBefore, "doubled");
    assertEquals(Fate.DEAD_LETTER, retry.charge(op, DOWN, 300 * MS, 300 * MS, false));
    assertEquals(3, op.attempts);
    assertEquals(0, op.firstFailureAt, "the budget counts from the first failure");
  }

  @Test
  void theBackoffStopsGrowingAtItsMaximum() {
    RetryPolicy retry = policy(WriteBehindConfiguration.builder().maxAttempts(100));
    Op<String, String> op = op("v");
    for (int i = 0; i < 20; i++) {
      retry.charge(op, DOWN, 0, 0, false);
    }
    assertEquals(1_000 * MS, op.notBefore);
    assertEquals(1_000 * MS, retry.parkedRetryAt(0));
    assertEquals(Long.MAX_VALUE, retry.parkedRetryAt(Long.MAX_VALUE - 1), "never overflows");
  }

  @Test
  void theRetryTimeIsABudgetToo() {
    RetryPolicy retry = policy(WriteBehindConfiguration.builder().maxAttempts(1_000)
        .maxRetryTime(Duration.ofSeconds(10)));
    Op<String, String> op = op("v");
    assertEquals(Fate.RETRY, retry.charge(op, DOWN, 0, 0, false));
    assertEquals(Fate.RETRY, retry.charge(op, DOWN, 9_999 * MS, 9_999 * MS, false));
    assertEquals(Fate.DEAD_LETTER, retry.charge(op, DOWN, 10_000 * MS, 10_000 * MS, false));
  }

  @Test
  void aNewerOperationTakesOverTheBudgetSoAKeyUpdatedWhileFailingStillEnds() {
    RetryPolicy retry = policy(WriteBehindConfiguration.builder().maxAttempts(3));
    Op<String, String> first = op("v1");
    retry.charge(first, DOWN, 0, 0, false);
    Op<String, String> second = op("v2");
    assertEquals(Fate.HAND_OVER, retry.charge(first, DOWN, 1, 1, true));
    retry.handOver(first, second, retry.isExhausted(first, 1), 1);
    assertEquals(2, second.attempts, "not a fresh budget");
    assertEquals(0, second.firstFailureAt);
    assertEquals(Fate.DEAD_LETTER, retry.charge(second, DOWN, 2, 2, false));
  }

  @Test
  void aNewerOperationTakingOverASpentBudgetIsTriedOnceAtOnce() {
    RetryPolicy retry = policy(WriteBehindConfiguration.builder().maxAttempts(2));
    Op<String, String> first = op("v1");
    retry.charge(first, DOWN, 0, 0, false);
    assertEquals(Fate.HAND_OVER, retry.charge(first, DOWN, 5 * MS, 5 * MS, true));
    assertTrue(retry.isExhausted(first, 5 * MS));
    Op<String, String> second = op("v2");
    retry.handOver(first, second, true, 5 * MS);
    assertEquals(1, second.attempts, "one attempt left");
    assertEquals(5 * MS, second.notBefore, "now, not after the failed one's back-off");
    assertFalse(retry.isExhausted(second, 5 * MS));
  }

  @Test
  void withoutCoalescingAFailedOperationIsRetriedBeforeTheNewerOneUnlessItsBudgetIsSpent() {
    RetryPolicy retry = policy(WriteBehindConfiguration.builder().maxAttempts(2)
        .coalescing(false));
    Op<String, String> op = op("v1");
    assertEquals(Fate.RETRY, retry.charge(op, DOWN, 0, 0, true), "every state is written");
    assertEquals(Fate.HAND_OVER, retry.charge(op, DOWN, 1, 1, true),
        "spent: the newer operation goes on, and is never sent before it");
  }
}
