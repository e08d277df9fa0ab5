package dev.jotter.writebehind;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.util.function.DoubleSupplier;

/**
 * What becomes of an operation the writer failed (contract clause 6): tried again after a
 * back-off, handed over to the newer operation of its key, or — its budget spent — a dead letter.
 * Pure: it changes only the operations it is given, so it is tested without threads or a buffer.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A key's budget ({@code maxAttempts} failures, or {@code maxRetryTime} from its first
 *       failure) is counted from the key's first failure and passes to a newer operation that
 *       replaces the failed one: a key that keeps being updated while its writes fail still
 *       reaches its end, and is not retried forever.
 *   <li>A newer operation that takes over a spent budget is still tried once, at once: its value
 *       may be valid where the old one was not.
 *   <li>The back-off grows exponentially with the failures, with jitter, up to
 *       {@code maxBackoff} ({@link Backoff}).
 * </ul>
 */
final class RetryPolicy {
  /** What becomes of a failed operation. */
  enum Fate {
    /** The newer operation of its key replaces it and keeps its budget. */
    HAND_OVER,
    /** Tried again once its back-off ends. */
    RETRY,
    /** Its budget is spent and nothing newer waits: a dead letter. */
    DEAD_LETTER
  }

  private final boolean coalescing;
  private final int maxAttempts;
  private final long maxRetryNanos;
  private final long maxBackoffNanos;
  private final Backoff backoff;
  private final DoubleSupplier random;

  /** @param random the jitter's random numbers in [0, 1) */
  RetryPolicy(WriteBehindConfiguration config, Backoff backoff, DoubleSupplier random) {
    this.coalescing = config.coalescing();
    this.maxAttempts = config.maxAttempts();
    this.maxRetryNanos = BufferLock.saturatedNanos(config.maxRetryTime());
    this.maxBackoffNanos = BufferLock.saturatedNanos(config.maxBackoff());
    this.backoff = backoff;
    this.random = random;
  }

  /**
   * Charges a failure to {@code op}, sets when it may be tried again, and decides its fate.
   *
   * @param at when the writer failed it
   * @param now the time of the decision
   * @param hasSuccessor whether a newer operation of the key waits behind it
   */
  Fate charge(Op<?, ?> op, Throwable cause, long at, long now, boolean hasSuccessor) {
    op.failed(at, cause, true);
    op.notBefore = now + backoff.delayNanos(op.attempts, random.getAsDouble());
    boolean exhausted = isExhausted(op, now);
    if (hasSuccessor && (coalescing || exhausted)) {
      return Fate.HAND_OVER;
    }
    return exhausted ? Fate.DEAD_LETTER : Fate.RETRY;
  }

  /** Whether {@code op}'s budget is spent. */
  boolean isExhausted(Op<?, ?> op, long now) {
    return (op.attempts >= maxAttempts) || (now - op.firstFailureAt >= maxRetryNanos);
  }

  /**
   * {@code successor} replaces the failed {@code op}: it takes the key's failure history and
   * budget; if that budget is spent ({@code exhausted}), it is still tried once, now.
   */
  <K, V> void handOver(Op<K, V> op, Op<K, V> successor, boolean exhausted, long now) {
    successor.inherit(op);
    if (exhausted) {
      successor.attempts = Math.min(successor.attempts, maxAttempts - 1);
      successor.notBefore = now;
    }
  }

  /** When an operation whose letter finds no room is tried again: it waits as long as it can. */
  long parkedRetryAt(long now) {
    long at = now + maxBackoffNanos;
    return (at < now) ? Long.MAX_VALUE : at;
  }
}
