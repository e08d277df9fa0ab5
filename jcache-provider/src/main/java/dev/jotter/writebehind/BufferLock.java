package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one short lock of a write-behind buffer, shared by its parts, and the waits on it.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Every wait ({@link #await}) ends at its deadline in the {@link Ticker}'s time, a fake
 *       ticker included: a timer on the {@link FlushScheduler} signals it then, so a test moves
 *       time instead of sleeping.
 *   <li>The scheduler, which users may supply, is never called while the lock is held: a wait
 *       unlocks to arm its timer and then looks at its condition again.
 *   <li>{@link #signalAll()} wakes every waiter; waiters re-check their own condition, so a
 *       signal never needs to say what changed.
 * </ul>
 */
final class BufferLock {
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when operations finish, slots free up, a deadline passes, or the buffer closes. */
  private final Condition changed = lock.newCondition();
  private final Ticker ticker;
  private final FlushScheduler scheduler;

  BufferLock(Ticker ticker, FlushScheduler scheduler) {
    this.ticker = ticker;
    this.scheduler = scheduler;
  }

  void lock() {
    lock.lock();
  }

  void unlock() {
    lock.unlock();
  }

  /** Runs {@code read} under the lock. */
  <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits, holding the lock (exactly once), until {@code done} holds or the ticker passes
   * {@code deadline}. The wait is timed in real time too; a scheduler timer wakes it at the
   * deadline of a fake ticker.
   *
   * @return whether {@code done} holds
   */
  boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
    boolean timerSet = false;
    while (!done.getAsBoolean()) {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        return false;
      }
      if (!timerSet && (deadline != Long.MAX_VALUE)) {
        timerSet = true;
        // Whatever changed while the lock was free (the timer may even have fired) is seen by
        // the checks above, again.
        lock.unlock();
        try {
          scheduler.schedule(this::signal, remaining);
        } finally {
          lock.lock();
        }
        continue;
      }
      changed.awaitNanos(remaining);
    }
    return true;
  }

  /** Waits, holding the lock, for the next signal; for a close that waits for another close. */
  void awaitSignal() {
    changed.awaitUninterruptibly();
  }

  /** Wakes every waiter; call it holding the lock. */
  void signalAll() {
    changed.signalAll();
  }

  /** Wakes every waiter; takes the lock. */
  void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The ticker time {@code nanos} from now, or {@code Long.MAX_VALUE} if that overflows. */
  long deadlineAfter(long nanos) {
    long now = ticker.read();
    long deadline = now + nanos;
    return (nanos == Long.MAX_VALUE || deadline < now) ? Long.MAX_VALUE : deadline;
  }

  /** {@code duration} in nanoseconds, {@code Long.MAX_VALUE} if it does not fit. */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
