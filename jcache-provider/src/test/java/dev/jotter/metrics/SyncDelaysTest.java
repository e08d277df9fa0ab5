package dev.jotter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SyncDelaysTest {
  private final AtomicLong now = new AtomicLong();
  private final SyncDelays delays = new SyncDelays(now::get);

  @Test
  void percentilesErrHighByAtMostOneBucket() {
    for (int i = 1; i <= 100; i++) {
      delays.record(Duration.ofMillis(i).toNanos());
    }
    SyncDelays.Snapshot s = delays.snapshot();
    assertEquals(100, s.count());
    assertBetween(50, s.median().toNanos() / 1e6, 50 * 1.19);
    assertBetween(99, s.p99().toNanos() / 1e6, 99 * 1.19);
    assertBetween(100, s.max().toNanos() / 1e6, 100 * 1.19);
  }

  @Test
  void nothingRecordedIsZero() {
    assertEquals(new SyncDelays.Snapshot(0, Duration.ZERO, Duration.ZERO, Duration.ZERO),
        delays.snapshot());
  }

  @Test
  void theWindowForgetsWhatIsOlderThanTwoMinutes() {
    delays.record(Duration.ofSeconds(30).toNanos());
    now.addAndGet(Duration.ofSeconds(61).toNanos());
    delays.record(Duration.ofMillis(5).toNanos());
    assertEquals(2, delays.snapshot().count(), "the previous minute is still seen");
    now.addAndGet(Duration.ofSeconds(61).toNanos());
    SyncDelays.Snapshot s = delays.snapshot();
    assertEquals(1, s.count(), "the 30 s delay is gone");
    assertTrue(s.max().toMillis() < 10, s.toString());
  }

  private static void assertBetween(double low, double actual, double high) {
    assertTrue(actual >= low && actual <= high, low + " <= " + actual + " <= " + high);
  }
}
