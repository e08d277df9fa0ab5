package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;
import javax.cache.Cache;

/**
 * One pending operation: a write ({@code value != null}) or a delete. Immutable: a coalesced or
 * failed operation is replaced by a copy, which keeps the queue structures (keyed by an
 * operation's order and retry time) consistent.
 *
 * <p>It is handed to the writer as the {@link Cache.Entry} of {@code writeAll}, and to readers as
 * the {@link WriterRoute.Pending pending state} of its key, so the hot path allocates nothing else.
 */
final class Op<K, V> implements Cache.Entry<K, V>, WriterRoute.Pending<V> {
  /** No limit beyond the batch size. */
  static final int UNLIMITED = Integer.MAX_VALUE;

  final K key;
  final V value;
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
      long firstFailureAt, Throwable lastFailure, long notBefore, int limit) {
    this.key = key;
    this.value = value;
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
    return new Op<>(key, value, sequence, order, enqueuedAt, 0, 0, null, Long.MIN_VALUE, UNLIMITED);
  }

  /** The newer mutation that replaces this one, in its queue position, with no failure history. */
  Op<K, V> coalesce(V newValue, long newSequence) {
    return fresh(key, newValue, newSequence, order, enqueuedAt);
  }

  /** This operation after one more failed attempt at {@code now}. */
  Op<K, V> failed(long now, Throwable cause, int newLimit, long backoffNanos) {
    return new Op<>(key, value, sequence, order, enqueuedAt, attempts + 1,
        (attempts == 0) ? now : firstFailureAt, cause, now + backoffNanos, newLimit);
  }

  @Override
  public boolean isDelete() {
    return value == null;
  }

  @Override
  public V value() {
    return value;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    return value;
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
    return isDelete() ? "delete(" + key + ")" : "write(" + key + "=" + value + ")";
  }
}
