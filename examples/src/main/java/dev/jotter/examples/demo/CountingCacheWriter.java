package dev.jotter.examples.demo;

import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Counts what reaches a {@link CacheWriter}: calls and entries, so that a run shows how much
 * batching (or coalescing, under write-behind) saved.
 *
 * <p>Entries are counted when written, not when offered: a {@code writeAll} that fails
 * partially counts only the entries it took out of the collection.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class CountingCacheWriter<K, V> implements CacheWriter<K, V> {

  private final CacheWriter<K, V> delegate;
  private final Counters counters;

  private CountingCacheWriter(CacheWriter<K, V> delegate, Counters counters) {
    this.delegate = delegate;
    this.counters = counters;
  }

  /**
   * Wraps the writers that a factory creates; their counts go to {@link #counters(String)}.
   *
   * @param countersName the name under which the counts are kept
   * @param delegate     creates the writer that does the work
   * @param <K>          the key type
   * @param <V>          the value type
   * @return a serializable factory of counting writers
   */
  public static <K, V> Factory<CacheWriter<K, V>> factory(String countersName,
      Factory<? extends CacheWriter<K, V>> delegate) {
    return new CountingFactory<>(countersName, delegate);
  }

  /**
   * Returns the counters kept under a name, creating them on first use.
   *
   * <p>Counters are found by name rather than held by the factory because a JCache provider
   * may copy (serialize) the factory it is given: the copy's writers would otherwise count
   * into counters that nobody reads.
   *
   * @param name the name given to {@link #factory}
   * @return the live counters
   */
  public static Counters counters(String name) {
    return Counters.BY_NAME.computeIfAbsent(name, ignored -> new Counters());
  }

  @Override
  public void write(Cache.Entry<? extends K, ? extends V> entry) {
    counters.writeCalls.increment();
    delegate.write(entry);
    counters.entriesWritten.increment();
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
    counters.writeCalls.increment();
    int offered = entries.size();
    try {
      delegate.writeAll(entries);
    } finally {
      counters.entriesWritten.add(offered - entries.size());
    }
  }

  @Override
  public void delete(Object key) {
    counters.deleteCalls.increment();
    delegate.delete(key);
    counters.keysDeleted.increment();
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    counters.deleteCalls.increment();
    int offered = keys.size();
    try {
      delegate.deleteAll(keys);
    } finally {
      counters.keysDeleted.add(offered - keys.size());
    }
  }

  /** Live counts of one named writer (or of all writers created by one factory). */
  public static final class Counters {
    private static final ConcurrentMap<String, Counters> BY_NAME = new ConcurrentHashMap<>();

    private final LongAdder writeCalls = new LongAdder();
    private final LongAdder entriesWritten = new LongAdder();
    private final LongAdder deleteCalls = new LongAdder();
    private final LongAdder keysDeleted = new LongAdder();

    private Counters() {}

    /**
     * Returns the counts as they are now.
     *
     * @return a consistent-enough copy (each count is read once, without a global lock)
     */
    public Snapshot snapshot() {
      return new Snapshot(writeCalls.sum(), entriesWritten.sum(), deleteCalls.sum(),
          keysDeleted.sum());
    }

    /** Sets every count to zero, so that a second run starts from nothing. */
    public void reset() {
      writeCalls.reset();
      entriesWritten.reset();
      deleteCalls.reset();
      keysDeleted.reset();
    }
  }

  /**
   * Counts at one moment.
   *
   * @param writeCalls     calls to {@code write} and {@code writeAll}
   * @param entriesWritten entries those calls wrote
   * @param deleteCalls    calls to {@code delete} and {@code deleteAll}
   * @param keysDeleted    keys those calls deleted
   */
  public record Snapshot(long writeCalls, long entriesWritten, long deleteCalls,
      long keysDeleted) {}

  private static final class CountingFactory<K, V> implements Factory<CacheWriter<K, V>> {
    private static final long serialVersionUID = 1L;

    private final String countersName;
    private final Factory<? extends CacheWriter<K, V>> delegate;

    CountingFactory(String countersName, Factory<? extends CacheWriter<K, V>> delegate) {
      this.countersName = Objects.requireNonNull(countersName, "countersName");
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public CacheWriter<K, V> create() {
      return new CountingCacheWriter<>(delegate.create(), counters(countersName));
    }
  }
}
