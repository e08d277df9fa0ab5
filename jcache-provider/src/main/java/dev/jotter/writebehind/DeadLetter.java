package dev.jotter.writebehind;

import java.time.Instant;

/**
 * An operation that the writer failed to write within the retry limits.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class DeadLetter<K, V> {
  private final WriteBehindBuffer<K, V> source;
  /** The queue position of the failed operation: tells this letter from later ones of its key. */
  final long order;
  private final K key;
  private final V value;
  private final int attempts;
  private final Instant firstFailure;
  private final Throwable lastFailure;

  DeadLetter(WriteBehindBuffer<K, V> source, long order, K key, V value, int attempts,
      Instant firstFailure, Throwable lastFailure) {
    this.source = source;
    this.order = order;
    this.key = key;
    this.value = value;
    this.attempts = attempts;
    this.firstFailure = firstFailure;
    this.lastFailure = lastFailure;
  }

  /** The name of the cache whose buffer gave up the operation. */
  public String cacheName() {
    return source.cacheName();
  }

  /** The key. */
  public K key() {
    return key;
  }

  /** The value that was to be written, or {@code null} for a delete. */
  public V value() {
    return value;
  }

  /** Whether the operation was a delete. */
  public boolean isDelete() {
    return value == null;
  }

  /** How many times the writer was tried. */
  public int attempts() {
    return attempts;
  }

  /** The wall-clock time of the first failure. */
  public Instant firstFailure() {
    return firstFailure;
  }

  /** The exception of the last attempt. */
  public Throwable lastFailure() {
    return lastFailure;
  }

  /**
   * Queues the operation again in the buffer it came from, with fresh retry limits. Refused when
   * the letter is stale (a newer mutation of the key arrived, or it was resubmitted before), when
   * the buffer is full, or when the buffer is closed.
   *
   * @return whether the operation was queued
   */
  public boolean resubmit() {
    return source.resubmit(this);
  }

  @Override
  public String toString() {
    return "DeadLetter{cache=" + cacheName() + ", " + (isDelete() ? "delete " + key : key + "=" + value)
        + ", attempts=" + attempts + ", firstFailure=" + firstFailure + ", lastFailure="
        + lastFailure + '}';
  }
}
