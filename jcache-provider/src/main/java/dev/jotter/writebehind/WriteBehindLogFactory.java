package dev.jotter.writebehind;

/**
 * Provides a {@link WriteBehindLog} other than the local journal, found with
 * {@link java.util.ServiceLoader} on the cache manager's class loader and chosen by the
 * write-behind setting {@code log} (in a configuration file {@code write-behind.log = <name>},
 * with the log's own settings as {@code write-behind.<name>.<setting>}).
 *
 * <p>Register an implementation in {@code META-INF/services/dev.jotter.writebehind.WriteBehindLogFactory}.
 */
public interface WriteBehindLogFactory {

  /**
   * The name the {@code log} setting selects this factory by: lower-case letters, digits and
   * {@code -}, and not {@code journal}.
   *
   * @return the name
   */
  String name();

  /**
   * Opens the log of one cache; called when the cache is created, before its first mutation.
   * The cache owns the log and closes it.
   *
   * @param context what the log needs of the cache
   * @param <K> the type of keys
   * @param <V> the type of values
   * @return the cache's log
   * @throws javax.cache.CacheException naming what is wrong if the log cannot be opened (a
   *     missing topic, unreachable servers, a setting out of range), so that {@code createCache}
   *     fails with it
   */
  <K, V> WriteBehindLog<K, V> open(WriteBehindLogContext<K, V> context);
}
