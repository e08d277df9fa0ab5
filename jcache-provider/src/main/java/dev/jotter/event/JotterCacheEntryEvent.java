package dev.jotter.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import org.jspecify.annotations.Nullable;

/**
 * An entry event. For {@code REMOVED} and {@code EXPIRED} events both {@link #getValue()} and
 * {@link #getOldValue()} carry the value the entry had, and {@link #isOldValueAvailable()} is true:
 * the JCache 1.1.1 TCK requires that the flag and the payload agree.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class JotterCacheEntryEvent<K, V> extends CacheEntryEvent<K, V> {

  private static final long serialVersionUID = 1L;

  private final K key;
  private final transient V value;
  /** The value before the change, or {@code null} for a creation. */
  private final transient @Nullable V oldValue;

  JotterCacheEntryEvent(Cache<K, V> source, EventType type, K key, V value, @Nullable V oldValue) {
    super(source, type);
    this.key = key;
    this.value = value;
    this.oldValue = oldValue;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    return value;
  }

  /** Returns the value before the change, or {@code null} if there was none (a creation). */
  @Override
  public @Nullable V getOldValue() {
    return oldValue;
  }

  @Override
  public boolean isOldValueAvailable() {
    return oldValue != null;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("A cache entry event unwraps to "
        + JotterCacheEntryEvent.class.getName() + " or its supertypes, not to " + clazz.getName());
  }

  @Override
  public String toString() {
    return getEventType() + "[key=" + key + ", value=" + value + ", oldValue=" + oldValue + "]";
  }
}
