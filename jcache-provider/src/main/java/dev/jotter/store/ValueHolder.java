package dev.jotter.store;

/**
 * What the Caffeine map holds for a key: the (possibly copied) value and the ticker time at which it
 * expires. Immutable: a change of value or deadline replaces the holder inside the key's atomic
 * section, so Caffeine re-reads the deadline through {@link HolderExpiry}.
 *
 * @param <V> the value type
 */
public final class ValueHolder<V> {

  /** The deadline of an entry that never expires. */
  public static final long ETERNAL = Long.MAX_VALUE;

  private final V value;
  private final long expiresAt;

  /**
   * @param value the stored value
   * @param expiresAt ticker time of expiry, or {@link #ETERNAL}
   */
  public ValueHolder(V value, long expiresAt) {
    this.value = value;
    this.expiresAt = expiresAt;
  }

  /** Returns the stored value. */
  public V value() {
    return value;
  }

  /** Returns the ticker time at which the entry expires, or {@link #ETERNAL}. */
  public long expiresAt() {
    return expiresAt;
  }

  /** Returns a holder of the same value with another deadline. */
  public ValueHolder<V> withExpiresAt(long deadline) {
    return deadline == expiresAt ? this : new ValueHolder<>(value, deadline);
  }

  /** Returns whether the entry has expired at ticker time {@code now}. */
  public boolean isExpired(long now) {
    return expiresAt != ETERNAL && now - expiresAt >= 0;
  }

  /** Returns the nanoseconds left before expiry at {@code now}: 0 if expired, Long.MAX_VALUE if eternal. */
  long remainingNanos(long now) {
    if (expiresAt == ETERNAL) {
      return Long.MAX_VALUE;
    }
    return Math.max(0L, expiresAt - now);
  }
}
