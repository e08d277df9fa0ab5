package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import javax.cache.Cache;

/**
 * One pending operation: a write ({@code value != null}) or a delete. Immutable but for its value
 * while it waits: a failed operation, or one coalesced by the buffer under its lock, is replaced
 * by a copy, which keeps the queue structures (keyed by an operation's order and retry time)
 * consistent.
 *
 * <p>The value of a waiting operation lives in a cell that a newer mutation of the key may swap
 * without the buffer's lock ({@link #tryCoalesce}): the hot-key path of write-behind, where most
 * puts replace a pending value, then takes no shared lock. The flusher {@link #seize seizes} the
 * cell when the operation leaves in a batch, which freezes the value the writer sees; a mutation
 * that finds the cell seized queues behind it under the lock instead. Operations that are
 * created in flight (retries) start seized.
 *
 * <p>It is handed to the writer as the {@link Cache.Entry} of {@code writeAll}, and to readers as
 * the {@link WriterRoute.Pending pending state} of its key, so the hot path allocates nothing else.
 */
final class Op<K, V> implements Cache.Entry<K, V>, WriterRoute.Pending<V> {
  /** No limit beyond the batch size. */
  static final int UNLIMITED = Integer.MAX_VALUE;

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
  /** The value once seized; written before the cell turns {@link #SEIZED}. */
  private V frozen;
  /** The journal sequence number. */
  final long sequence;
  /** The position in the buffer's queue; kept by coalescing, so a hot key is not starved. */
  final long order;
  /** When the first operation of this queue position was accepted, by the ticker. */
  final long enqueuedAt;

  /** Failed attempts so far. */
  final int attempts;
  final long firstFailureAt;
  final Throwable lastFailure;
  /** The ticker time before which a retry must not leave. */
  final long notBefore;
  /** The largest batch this operation may travel in; halved when a whole batch fails. */
  final int limit;

  private Op(K key, V value, long sequence, long order, long enqueuedAt, int attempts,
      long firstFailureAt, Throwable lastFailure, long notBefore, int limit, boolean seized) {
    this.key = key;
    if (seized) {
      this.frozen = value;
      this.cell = SEIZED;
    } else {
      this.cell = (value == null) ? DELETE : value;
    }
    this.sequence = sequence;
    this.order = order;
    this.enqueuedAt = enqueuedAt;
    this.attempts = attempts;
    this.firstFailureAt = firstFailureAt;
    this.lastFailure = lastFailure;
    this.notBefore = notBefore;
    this.limit = limit;
  }

  static <K, V> Op<K, V> fresh(K key, V value, long sequence, long order, long enqueuedAt) {
    return new Op<>(key, value, sequence, order, enqueuedAt, 0, 0, null, Long.MIN_VALUE, UNLIMITED,
        false);
  }

  /** The newer mutation that replaces this one, in its queue position, with no failure history. */
  Op<K, V> coalesce(V newValue, long newSequence) {
    return fresh(key, newValue, newSequence, order, enqueuedAt);
  }

  /** This operation after one more failed attempt at {@code now}. */
  Op<K, V> failed(long now, Throwable cause, int newLimit, long backoffNanos) {
    return new Op<>(key, value(), sequence, order, enqueuedAt, attempts + 1,
        (attempts == 0) ? now : firstFailureAt, cause, now + backoffNanos, newLimit, true);
  }

  /**
   * Replaces the value of this waiting operation by a newer mutation's ({@code null}: a delete),
   * unless the flusher has seized it.
   *
   * @return whether the newer mutation is now this operation's value
   */
  boolean tryCoalesce(V newValue) {
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

  @Override
  public boolean isDelete() {
    return value() == null;
  }

  @Override
  public V value() {
    Object current = cell;
    return (current == SEIZED) ? frozen : unmask(current);
  }

  @SuppressWarnings("unchecked")
  private V unmask(Object current) {
    return (current == DELETE) ? null : (V) current;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    return value();
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("Cannot unwrap a write-behind entry to " + clazz);
  }

  @Override
  public String toString() {
    return isDelete() ? "delete(" + key + ")" : "write(" + key + "=" + value() + ")";
  }
}
