package dev.jotter.journal;

import java.io.UncheckedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Group commit: the forces of a journal, one at a time, shared by every thread that waits.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #await} returns only once a force that started after the record was appended has
 *       ended ({@link #durable()} covers it).
 *   <li>At most one force runs at a time. A thread that arrives while one runs waits for it and,
 *       if that force did not cover its record, one of the waiters leads the next, which covers
 *       all of them: forces shared by up to every waiting thread.
 *   <li>The force runs outside this object's lock; the sync action takes the journal's append
 *       lock only to write out its buffer, so appends continue while the disk works.
 *   <li>A failed force is not retried here: the sync action fails the journal for good and
 *       throws, and so does every later one.
 * </ul>
 */
final class GroupCommit {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  /** Writes out and forces everything appended so far; returns the last sequence it covers. */
  private final LongSupplier sync;
  private boolean syncing;
  private volatile long durable;

  GroupCommit(LongSupplier sync, long durableAtStart) {
    this.sync = sync;
    this.durable = durableAtStart;
  }

  /** The largest sequence known to be forced to disk. */
  long durable() {
    return durable;
  }

  /**
   * Returns once a force covered {@code sequence}, leading one if none runs.
   *
   * @throws UncheckedIOException if the journal failed to write or force
   * @throws IllegalArgumentException if {@code sequence} was never appended
   */
  void await(long sequence) {
    if (sequence <= durable) {
      return;
    }
    lock.lock();
    try {
      while (sequence > durable) {
        if (syncing) { // a force is running: the next one, led by one of us, covers all of us
          done.awaitUninterruptibly();
          continue;
        }
        long covered = leadLocked();
        if (covered < sequence) {
          throw new IllegalArgumentException("Sequence " + sequence + " was never appended "
              + "(last: " + covered + ")");
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forces everything appended so far, after the force running now if any; returns its cover. */
  long lead() {
    lock.lock();
    try {
      return leadLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Forces everything appended so far unless a force runs right now (which will do). */
  void leadIfIdle() {
    lock.lock();
    try {
      if (!syncing) {
        leadLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs one force as the leader; called holding the lock, which it releases meanwhile. */
  private long leadLocked() {
    while (syncing) {
      done.awaitUninterruptibly();
    }
    syncing = true;
    lock.unlock();
    long upTo;
    try {
      upTo = sync.getAsLong();
    } finally {
      lock.lock();
      syncing = false;
      done.signalAll();
    }
    if (upTo > durable) {
      durable = upTo;
    }
    return upTo;
  }

  /** The last force, at close: waits for the one running, runs {@code last}, wakes everyone. */
  <E extends Exception> void close(FinalSync<E> last) throws E {
    lock.lock();
    try {
      while (syncing) {
        done.awaitUninterruptibly();
      }
      long upTo = last.run();
      if (upTo > durable) {
        durable = upTo;
      }
      done.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The final force of a closing journal; returns the last sequence it covers. */
  interface FinalSync<E extends Exception> {
    long run() throws E;
  }

  /** Waits until a force covered {@code sequence}; false if {@code timeoutNanos} passed first. */
  boolean awaitSynced(long sequence, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (durable < sequence) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        done.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
