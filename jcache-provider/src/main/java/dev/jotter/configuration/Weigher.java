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
   * Returns the weight of an entry; must be zero or more and should not change while the entry is
   * cached.
   */
  int weigh(K key, V value);
}
