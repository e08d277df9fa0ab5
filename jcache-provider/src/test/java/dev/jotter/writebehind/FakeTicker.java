package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when the test says so. Starts far from zero to catch zero-based math. */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(Duration.ofDays(1).toNanos());

  @Override
  public long read() {
    return nanos.get();
  }

  void set(long value) {
    nanos.set(value);
  }

  void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }
}
