package dev.jotter.examples.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, instead of sleeping for a guessed time. */
final class Await {

  private static final long POLL_NANOS = Duration.ofMillis(2).toNanos();

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails the test at the deadline.
   *
   * @param what      the condition, for the failure message
   * @param timeout   how long to wait at most
   * @param condition polled until it holds
   * @param state     what the failure message shows of the state at the deadline
   */
  static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<?> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("Timed out after " + timeout + " waiting until " + what + "; state: " + state.get());
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
