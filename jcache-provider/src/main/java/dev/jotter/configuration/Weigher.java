package dev.jotter.configuration;

/**
 * Computes the weight of a cache entry, for caches bounded by {@link JotterConfiguration#setMaximumWeight
 * maximum weight} instead of entry count.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface Weigher<K, V> {

  /**
   * Weighs an entry; the weight must be zero or more and should not change while the entry is
   * cached.
   *
   * @param key the entry's key
   * @param value the entry's value
   * @return the entry's weight
   */
  int weigh(K key, V value);
}
