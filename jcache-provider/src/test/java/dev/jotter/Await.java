package dev.jotter;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that other threads bring about, with a deadline: the one way the tests
 * wait for what they cannot join. It parks between checks (10 µs growing to 1 ms) instead of
 * spinning, so a waiting test does not take the CPU from the threads it waits for.
 */
public final class Await {
  /** The default deadline: generous, since a loaded CI machine is slow, never hit when green. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private Await() {}

  /** Waits up to {@link #WAIT} for {@code condition}; fails naming {@code what} after it. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, WAIT, condition, () -> "");
  }

  /**
   * Waits up to {@code timeout} for {@code condition}.
   *
   * @param state described in the failure, to say where things stood
   * @throws AssertionError if the deadline passes first
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition,
      Supplier<?> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 10_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + ": not reached within " + timeout + " " + state.get());
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 1_000_000);
    }
  }
}
