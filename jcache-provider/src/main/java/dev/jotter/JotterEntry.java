package dev.jotter;

import java.util.Objects;
import javax.cache.Cache;
import org.jspecify.annotations.Nullable;

/**
 * An immutable key-value pair: what iterators return and what a {@code CacheWriter} receives.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class JotterEntry<K, V> implements Cache.Entry<K, V> {

  private final K key;
  private final V value;

  /**
   * Creates an entry of a key and its value.
   *
   * @param key the key
   * @param value the value
   */
  public JotterEntry(K key, V value) {
    this.key = key;
    this.value = value;
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
    throw new IllegalArgumentException("A cache entry unwraps to " + JotterEntry.class.getName()
        + " or its supertypes, not to " + clazz.getName());
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Cache.Entry<?, ?>)) {
      return false;
    }
    Cache.Entry<?, ?> other = (Cache.Entry<?, ?>) o;
    return Objects.equals(key, other.getKey()) && Objects.equals(value, other.getValue());
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(key) ^ Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return key + "=" + value;
  }
}
