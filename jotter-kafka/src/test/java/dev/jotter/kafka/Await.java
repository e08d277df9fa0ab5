package dev.jotter.kafka;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that other threads (or Kafka) bring about, with a deadline; parks between
 * checks (10 µs growing to 10 ms) instead of spinning.
 */
final class Await {
  static final Duration WAIT = Duration.ofSeconds(30);

  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    until(what, WAIT, condition, () -> "");
  }

  static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<?> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 10_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + ": not reached within " + timeout + " " + state.get());
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 10_000_000);
    }
  }
}
