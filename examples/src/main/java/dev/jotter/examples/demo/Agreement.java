package dev.jotter.examples.demo;

import dev.jotter.examples.jdbc.Order;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.cache.Cache;

/**
 * Whether a cache and its table hold the same thing, key by key.
 *
 * <p>The cache side is read by iterating the cache, never with {@code get}: on a read-through
 * cache a {@code get} of a missing entry would ask the table, and so could only agree with it.
 * An entry missing from the cache agrees only with a row missing from the table.
 *
 * @param keysChecked   how many keys were compared
 * @param firstMismatch the lowest key on which they disagree, if any
 */
public record Agreement(int keysChecked, Optional<Mismatch> firstMismatch) {

  /**
   * One key on which cache and table disagree.
   *
   * @param key     the key
   * @param inCache the cached value, or {@code null} if the cache has none
   * @param inTable the row's value, or {@code null} if the table has none
   */
  public record Mismatch(Long key, Order inCache, Order inTable) {}

  /**
   * Compares a cache with its table on the given keys and on every key the cache holds.
   *
   * <p>Call it when no mutation is in flight (and, under write-behind, after a flush):
   * otherwise a difference may be a write on its way rather than a lost one.
   *
   * @param cache       the cache
   * @param keys        the keys to compare, typically every key a workload touched
   * @param tableReader reads the rows of a set of keys, absent keys missing from the map
   *                    (for example {@code JdbcCacheLoader::loadAll})
   * @return the outcome
   */
  public static Agreement check(Cache<Long, Order> cache, Set<Long> keys,
      Function<Set<Long>, Map<Long, Order>> tableReader) {
    Map<Long, Order> cached = new HashMap<>();
    for (Cache.Entry<Long, Order> entry : cache) {
      cached.put(entry.getKey(), entry.getValue());
    }
    // Sorted, so that "the first mismatch" is the same one on every run.
    Set<Long> all = new TreeSet<>(keys);
    all.addAll(cached.keySet());
    Map<Long, Order> rows = tableReader.apply(all);
    for (Long key : all) {
      Order inCache = cached.get(key);
      Order inTable = rows.get(key);
      if (!Objects.equals(inCache, inTable)) {
        return new Agreement(all.size(), Optional.of(new Mismatch(key, inCache, inTable)));
      }
    }
    return new Agreement(all.size(), Optional.empty());
  }

  /**
   * Whether no key disagreed.
   *
   * @return {@code true} if cache and table agree on every key checked
   */
  public boolean agrees() {
    return firstMismatch.isEmpty();
  }

  /**
   * Returns the verdict as the demo prints it.
   *
   * @return {@code OK: ...} or {@code MISMATCH: ...}
   */
  public String describe() {
    return firstMismatch
        .map(m -> "MISMATCH: key " + m.key() + ": cache=" + m.inCache() + ", table=" + m.inTable()
            + " (" + keysChecked + " keys checked)")
        .orElse("OK: cache and table agree on " + keysChecked + " keys");
  }
}
