package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import javax.cache.Cache;
import org.jspecify.annotations.Nullable;

/**
 * One pending operation: a write ({@code value != null}) or a delete, at one position of the
 * buffer's queue ({@link #order}).
 *
 * <p>The value of a waiting operation lives in a cell that a newer mutation of the key may swap
 * without the buffer's lock ({@link #tryCoalesce}): the hot-key path of write-behind, where most
 * puts replace a pending value, then takes no shared lock. The flusher {@link #seize seizes} the
 * cell when the operation leaves in a batch, which freezes the value the writer sees; a mutation
 * that finds the cell seized queues behind it instead. A failed operation goes back to waiting
 * with {@link #release}, so a newer value can again replace it.
 *
 * <p>The failure history ({@link #attempts}, {@link #firstFailureAt}, ...) belongs to the queue
 * position, not to the value: coalescing a newer value into a failing operation keeps it, which is
 * how the retry budget of a key counts from the key's first failure (contract clause 6). It is
 * written only under the buffer's lock, by the thread that owns the operation at that moment.
 *
 * <p>It is handed to the writer as the {@link Cache.Entry} of {@code writeAll}, and to readers as
 * the {@link WriterRoute.Pending pending state} of its key, so the hot path allocates nothing else.
 */
final class Op<K, V> implements Cache.Entry<K, V>, WriterRoute.Pending<V> {
  /** {@link #firstFailureAt} of an operation that has not failed. */
  static final long NEVER = Long.MIN_VALUE;

  /** The cell of a sent operation; its value is then {@link #frozen}. */
  private static final Object SEIZED = new Object();
  /** The cell of a delete, which has no value. */
  private static final Object DELETE = new Object();
  private static final VarHandle CELL;

  static {
    try {
      CELL = MethodHandles.lookup().findVarHandle(Op.class, "cell", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final K key;
  /** The value while waiting ({@link #DELETE} for a delete), or {@link #SEIZED}. */
  @SuppressWarnings("unused") // through CELL
  private volatile Object cell;
  /** The value once seized (null for a delete); written before the cell turns {@link #SEIZED}. */
  private @Nullable V frozen;
  /** The position in the buffer's queue; kept by coalescing, so a hot key is not starved. */
  final long order;
  /** When the oldest mutation this operation stands for was accepted, by the ticker. */
  final long enqueuedAt;

  // guarded by the buffer's lock
  /** The journal sequence number of the value; replaced when a journaled mutation coalesces. */
  long sequence;
  /** Failed attempts charged to this operation (see {@link BatchSender}); counts toward maxAttempts. */
  int attempts;
  /** When it first failed, by the ticker, or {@link #NEVER}; counts toward maxRetryTime. */
  long firstFailureAt = NEVER;
  long lastFailureAt = NEVER;
  /** The exception of the last failure, or {@code null} if it has not failed. */
  @Nullable Throwable lastFailure;
  /** The ticker time before which a retry must not leave. */
  long notBefore = Long.MIN_VALUE;
  /** Its budget is spent but the dead letters are full, so it stays pending (counted once). */
  boolean parked;

  Op(K key, @Nullable V value, long sequence, long order, long enqueuedAt) {
    this.key = key;
    this.cell = (value == null) ? DELETE : value;
    this.sequence = sequence;
    this.order = order;
    this.enqueuedAt = enqueuedAt;
  }

  /**
   * Whether it has failed before. A suspect travels only with other suspects, so that a retry
   * never takes a batch's place from operations that have not failed (contract clause 6).
   */
  boolean isSuspect() {
    return firstFailureAt != NEVER;
  }

  /** Takes over the failure history of the operation it replaces in its key's queue. */
  void inherit(Op<K, V> failed) {
    attempts = failed.attempts;
    firstFailureAt = failed.firstFailureAt;
    lastFailureAt = failed.lastFailureAt;
    lastFailure = failed.lastFailure;
    notBefore = failed.notBefore;
  }

  /** Records a failure at {@code now}; {@code charged} says whether it counts as an attempt. */
  void failed(long now, Throwable cause, boolean charged) {
    if (charged) {
      attempts++;
    }
    if (firstFailureAt == NEVER) {
      firstFailureAt = now;
    }
    lastFailureAt = now;
    lastFailure = cause;
  }

  /**
   * Replaces the value of this waiting operation by a newer mutation's ({@code null}: a delete),
   * unless the flusher has seized it.
   *
   * @return whether the newer mutation is now this operation's value
   */
  boolean tryCoalesce(@Nullable V newValue) {
    Object replacement = (newValue == null) ? DELETE : newValue;
    for (Object current = cell; current != SEIZED; current = cell) {
      if (CELL.compareAndSet(this, current, replacement)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the flusher has not seized this operation, so a newer mutation may replace its value. */
  boolean isWaiting() {
    return cell != SEIZED;
  }

  /** Freezes the value, so that it is the one the writer sees; idempotent. */
  void seize() {
    for (Object current = cell; current != SEIZED; current = cell) {
      frozen = unmask(current);
      // the plain write above is published by this volatile CAS, and read after seeing SEIZED
      if (CELL.compareAndSet(this, current, SEIZED)) {
        return;
      }
    }
  }

  /** Lets a seized operation wait again (a retry), so that newer mutations coalesce into it. */
  void release() {
    if (cell == SEIZED) {
      // frozen stays: a reader that saw SEIZED just before this write still reads the value there
      V value = frozen;
      cell = (value == null) ? DELETE : value;
    }
  }

  @Override
  public boolean isDelete() {
    return value() == null;
  }

  @Override
  public @Nullable V value() {
    Object current = cell;
    return (current == SEIZED) ? frozen : unmask(current);
  }

  @SuppressWarnings("unchecked")
  private @Nullable V unmask(Object current) {
    return (current == DELETE) ? null : (V) current;
  }

  @Override
  public K getKey() {
    return key;
  }

  /** The value to write; {@code null} for a delete, which never goes to {@code writeAll}. */
  @Override
  public @Nullable V getValue() {
    return value();
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("Cannot unwrap a write-behind entry to " + clazz);
  }

  /** Names the key and the kind of operation, never the value (logs must not carry values). */
  @Override
  public String toString() {
    return (isDelete() ? "delete(" : "write(") + key + ")";
  }
}
