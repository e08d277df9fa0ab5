package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000;

  private static Backoff backoff(double jitter) {
    return new Backoff(WriteBehindConfiguration.builder().initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofSeconds(1)).backoffMultiplier(2).jitter(jitter).build());
  }

  @Test
  void backoffGrowsExponentiallyWithJitterBounds() {
    Backoff backoff = backoff(0.2);
    // random 0.5 is the middle of the spread: the base itself
    assertEquals(100 * MS, backoff.delayNanos(1, 0.5));
    assertEquals(200 * MS, backoff.delayNanos(2, 0.5));
    assertEquals(400 * MS, backoff.delayNanos(3, 0.5));
    assertEquals(800 * MS, backoff.delayNanos(4, 0.5));
    assertEquals(1_000 * MS, backoff.delayNanos(5, 0.5), "capped at maxBackoff");
    assertEquals(1_000 * MS, backoff.delayNanos(Integer.MAX_VALUE, 0.5), "no overflow");

    assertEquals(80 * MS, backoff.delayNanos(1, 0.0));
    SplittableRandom random = new SplittableRandom(42);
    for (int failures = 1; failures <= 8; failures++) {
      long base = Math.min(1_000, 100L << (failures - 1)) * MS;
      for (int i = 0; i < 1_000; i++) {
        long delay = backoff.delayNanos(failures, random.nextDouble());
        assertTrue(delay >= 0.8 * base && delay <= Math.min(1.2 * base, 1_000 * MS),
            failures + ": " + delay);
      }
    }
  }

  @Test
  void zeroJitterIsExact() {
    assertEquals(400 * MS, backoff(0).delayNanos(3, 0.99));
  }
}
