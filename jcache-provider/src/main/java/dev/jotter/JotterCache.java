package dev.jotter;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.Ticker;
import dev.jotter.event.EventDispatcher;
import dev.jotter.expiry.ExpiryCalculator;
import dev.jotter.management.JotterStatistics;
import dev.jotter.store.EntryStore;
import dev.jotter.store.ValueHolder;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.WriteBehind;
import dev.jotter.writebehind.WriteBehindLog;
import dev.jotter.writebehind.WriteBehindStatistics;
import dev.jotter.writer.WriterRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import org.jspecify.annotations.Nullable;

/**
 * A Jotter cache: the JCache {@link Cache} API over a Caffeine map.
 *
 * <p>This class is the facade: it checks arguments, times operations for the statistics and
 * delivers synchronous listener events after each operation; the work is done by its parts:
 * <ul>
 *   <li>{@link EntryMutations}: the one way a key changes — admission by the writer route, the
 *       key's atomic section ({@link EntryStore#compute}, Caffeine's per-key compute) in which the
 *       route, the statistics and the events see the mutation, and release;
 *   <li>{@link BulkMutations}: {@code putAll}, {@code removeAll}, {@code invokeAll};
 *   <li>{@link ReadThrough}: misses answered by the write-behind buffer, then the loader;
 *   <li>{@link EntryIterator}; {@link CacheResources}: what the cache builds and releases.
 * </ul>
 *
 * <p>Implementation notes:
 * <ul>
 *   <li><b>Atomicity.</b> Every mutation of a key runs inside its atomic section; a loader runs
 *       there too (read-through), so a key is loaded once however many threads miss it at once.
 *   <li><b>Failure.</b> The writer is called before the new state is built and events are raised,
 *       so a writer (or entry processor) exception leaves the entry, the statistics and the
 *       listeners untouched. Synchronous listeners run after the atomic section (see
 *       {@link EventDispatcher}).
 *   <li><b>Time.</b> Deadlines come from the JCache {@code ExpiryPolicy}, asked exactly once per
 *       operation as the TCK demands, and are enforced by Caffeine; the time source is the
 *       configured {@link Ticker}.
 *   <li><b>Copies.</b> With store-by-value, keys and values are copied on the way in and values on
 *       the way out; the writer and the loader see the caller's own objects.
 * </ul>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class JotterCache<K, V> implements Cache<K, V> {

  private final String name;
  private final JotterCacheManager manager;
  private final JotterConfiguration<K, V> configuration;
  private final CacheResources<K, V> resources;
  private final EntryStore<K, V> store;
  private final EventDispatcher<K, V> dispatcher;
  private final JotterStatistics statistics;
  private final WriterRoute<K, V> route;
  private final Ticker ticker;
  private final Class<?> keyType;
  private final Class<?> valueType;
  private final CacheCore<K, V> core;
  private final EntryMutations<K, V> mutations;
  private final BulkMutations<K, V> bulk;
  private final ReadThrough<K, V> reads;
  private volatile boolean closed;

  JotterCache(String name, JotterCacheManager manager, JotterConfiguration<K, V> configuration,
      CacheResources<K, V> resources) {
    this.name = name;
    this.manager = manager;
    this.configuration = configuration;
    this.resources = resources;
    this.ticker = resources.ticker();
    this.dispatcher = resources.dispatcher();
    this.statistics = resources.statistics();
    this.route = resources.route();
    this.keyType = configuration.getKeyType();
    this.valueType = configuration.getValueType();
    ExpiryCalculator expiry = resources.expiry();
    this.store = new EntryStore<>(configuration, ticker, !expiry.isEternal(), this::onEviction);
    this.core = new CacheCore<>(this, configuration, resources, store, manager.getClassLoader());
    this.mutations = new EntryMutations<>(core);
    this.reads = new ReadThrough<>(core, resources.loadExecutor());
    this.bulk = new BulkMutations<>(core, mutations, reads);
    if (route instanceof WriteBehindLog<K, V> log) {
      // last: the log may apply other nodes' mutations from now on
      log.attach(new RemoteMutations<>(core, mutations));
    }
  }

  /** What the cache built; for tests in this package's test tree. */
  CacheResources<K, V> resources() {
    return resources;
  }


  // ---------------------------------------------------------------- reads

  @Override
  public @Nullable V get(K key) {
    requireOpen();
    requireKey(key);
    long start = startTimer();
    try {
      ValueHolder<V> holder = store.get(key);
      if (holder != null) {
        statistics.recordHits(1);
        reads.touch(key, holder);
        return core.copyOut(holder.value());
      }
      statistics.recordMisses(1);
      return core.loadsOnMiss() ? reads.loadAndStore(key) : null;
    } finally {
      statistics.recordGetTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    long start = startTimer();
    try {
      Map<K, V> result = new LinkedHashMap<>(keys.size());
      List<K> missing = new ArrayList<>();
      for (K key : keys) {
        ValueHolder<V> holder = store.get(key);
        if (holder != null) {
          reads.touch(key, holder);
          result.put(key, core.copyOut(holder.value()));
        } else {
          missing.add(key);
        }
      }
      statistics.recordHits(result.size());
      statistics.recordMisses(missing.size());
      if (core.loadsOnMiss() && !missing.isEmpty()) {
        reads.loadMissing(missing, result);
      }
      return result;
    } finally {
      statistics.recordGetTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public boolean containsKey(K key) {
    requireOpen();
    requireKey(key);
    if (store.peek(key) != null) {
      return true;
    }
    // an entry evicted while its write is pending is still the cache's state (clause 7)
    WriterRoute.Pending<V> pending = core.writeBehind ? route.pending(key) : null;
    return pending != null && !pending.isDelete();
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues,
      CompletionListener completionListener) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    reads.loadAllAsync(new ArrayList<>(keys), replaceExistingValues,
        completionListener == null ? NoCompletionListener.INSTANCE : completionListener);
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    timed(Timing.PUT, () -> mutations.run(key, core.copyIn(key),
        mutations.put(key, value, core.copyIn(value), false)));
  }

  @Override
  public @Nullable V getAndPut(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    return copyOut(timed(Timing.PUT_AND_GET, () -> mutations.run(key, core.copyIn(key),
        mutations.put(key, value, core.copyIn(value), true))));
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    requireOpen();
    Objects.requireNonNull(map, "map");
    map.forEach(this::requireEntry);
    timed(Timing.PUT, () -> {
      bulk.putAll(map);
      return null;
    });
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    K storedKey = core.copyIn(key);
    V stored = core.copyIn(value);
    return timedFlag(Timing.PUT, () -> mutations.run(key, storedKey,
        mutations.putIfAbsent(key, value, stored)));
  }

  @Override
  public boolean remove(K key) {
    requireOpen();
    requireKey(key);
    return timed(Timing.REMOVE, () -> mutations.run(key, key, mutations.remove(key))) != null;
  }

  @Override
  public boolean remove(K key, V oldValue) {
    requireOpen();
    requireEntry(key, oldValue);
    return timedFlag(Timing.REMOVE, () -> mutations.run(key, key,
        mutations.removeIfEquals(key, oldValue)));
  }

  @Override
  public @Nullable V getAndRemove(K key) {
    requireOpen();
    requireKey(key);
    return copyOut(timed(Timing.REMOVE_AND_GET, () -> {
      Object removed = mutations.run(key, key, mutations.remove(key));
      core.recordAccess(removed != null);
      return removed;
    }));
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    requireOpen();
    requireEntry(key, oldValue);
    requireValue(newValue);
    Object replaced = timed(Timing.PUT, () -> {
      Object result = mutations.run(key, key, mutations.replaceIfEquals(key, oldValue, newValue));
      core.recordAccess(result != null);
      return result;
    });
    return Boolean.TRUE.equals(replaced);
  }

  @Override
  public boolean replace(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    return timed(Timing.PUT, () -> replaceAndCount(key, value)) != null;
  }

  @Override
  public @Nullable V getAndReplace(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    return copyOut(timed(Timing.PUT_AND_GET, () -> replaceAndCount(key, value)));
  }

  private @Nullable Object replaceAndCount(K key, V value) {
    Object replaced = mutations.run(key, key, mutations.replace(key, value));
    core.recordAccess(replaced != null);
    return replaced;
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    timed(Timing.REMOVE, () -> {
      bulk.removeAll(new LinkedHashSet<>(keys));
      return null;
    });
  }

  @Override
  public void removeAll() {
    requireOpen();
    timed(Timing.REMOVE, () -> {
      Set<K> keys = new LinkedHashSet<>();
      store.keys().forEach(keys::add);
      bulk.removeAll(keys);
      return null;
    });
  }

  @Override
  public void clear() {
    requireOpen();
    store.clear();
    dispatcher.dispatchSynchronous();
  }

  // ---------------------------------------------------------------- entry processors

  @Override
  public <T> @Nullable T invoke(K key, EntryProcessor<K, V, T> entryProcessor,
      Object... arguments) {
    requireOpen();
    requireKey(key);
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    try {
      @SuppressWarnings("unchecked")
      T result = (T) mutations.run(key, core.copyIn(key),
          mutations.invoke(key, entryProcessor, arguments, reads));
      return result;
    } finally {
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys,
      EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    try {
      return bulk.invokeAll(keys, entryProcessor, arguments);
    } finally {
      dispatcher.dispatchSynchronous();
    }
  }

  // ---------------------------------------------------------------- expiry and eviction

  /** Caffeine removed an entry on its own; called inside the key's atomic section. */
  private void onEviction(K key, V value, boolean expired) {
    statistics.recordEvictions(1);
    if (expired) {
      dispatcher.publishExpired(this, key, value);
    }
  }

  // ---------------------------------------------------------------- iteration

  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    requireOpen();
    return new EntryIterator<>(core, reads);
  }

  // ---------------------------------------------------------------- listeners

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    requireOpen();
    Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration");
    dispatcher.register(listenerConfiguration);
    configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    requireOpen();
    Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration");
    dispatcher.deregister(listenerConfiguration);
    configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
  }

  // ---------------------------------------------------------------- lifecycle and identity

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
    if (clazz.isInstance(configuration)) {
      return clazz.cast(configuration);
    }
    throw new IllegalArgumentException("The configuration of a Jotter cache is a "
        + JotterConfiguration.class.getName() + "; it is not a " + clazz.getName());
  }

  /** Returns the cache's standard JCache statistics (also exported to JMX when enabled). */
  public JotterStatistics statistics() {
    return statistics;
  }

  /**
   * Returns the Jotter cache behind a JCache {@code Cache}, typed, so that Jotter's additions
   * (write-behind, dead letters, statistics) are reached without casts:
   * {@code JotterCache.of(cache).deadLetters()}.
   *
   * @throws IllegalArgumentException if {@code cache} is not a Jotter cache
   */
  @SuppressWarnings("unchecked")
  public static <K, V> JotterCache<K, V> of(Cache<K, V> cache) {
    Objects.requireNonNull(cache, "cache");
    if (cache instanceof JotterCache) {
      return (JotterCache<K, V>) cache;
    }
    try {
      return (JotterCache<K, V>) cache.unwrap(JotterCache.class);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Cache '" + cache.getName() + "' is a "
          + cache.getClass().getName() + ", not a Jotter cache", e);
    }
  }

  /**
   * Returns what can be asked of the cache's write-behind (flush, statistics, dead letters, the
   * status of a key), or empty if the cache is not write-behind.
   */
  public Optional<WriteBehind<K, V>> writeBehind() {
    return Optional.ofNullable(resources.writeBehind());
  }

  /**
   * Returns when every mutation acknowledged before the call has reached the writer or was
   * dead-lettered (write-behind), saying which; returns at once for write-through caches, whose
   * writes are done when they return.
   */
  public FlushResult flush() {
    requireOpen();
    WriteBehind<K, V> writeBehind = resources.writeBehind();
    return (writeBehind == null) ? FlushResult.NOTHING_PENDING
        : writeBehind.flush(java.time.temporal.ChronoUnit.FOREVER.getDuration());
  }

  /**
   * Waits at most {@code timeout} for every mutation acknowledged before the call to reach the
   * writer (or the dead letters), and says how it ended: written, dead-lettered, still pending.
   * Completed at once for caches that are not write-behind.
   */
  public FlushResult flush(Duration timeout) {
    requireOpen();
    Objects.requireNonNull(timeout, "timeout");
    WriteBehind<K, V> writeBehind = resources.writeBehind();
    return (writeBehind == null) ? FlushResult.NOTHING_PENDING : writeBehind.flush(timeout);
  }

  /**
   * Returns the write-behind counters (pending operations, lag, coalesced, written, retried,
   * dead-lettered, lost...), or empty if the cache is not write-behind.
   */
  public Optional<WriteBehindStatistics> writeBehindStatistics() {
    return writeBehind().map(WriteBehind::statistics);
  }

  /**
   * Returns the operations write-behind gave up on, to list, resubmit or discard them, or empty
   * if the cache is not write-behind.
   */
  public Optional<DeadLetters<K, V>> deadLetters() {
    return writeBehind().map(WriteBehind::deadLetters);
  }

  /** Returns the number of entries, approximately: expired entries may still be counted. */
  public long estimatedSize() {
    return store.estimatedSize();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    manager.release(this);
    resources.close();
    store.clear();
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("A Jotter cache unwraps to " + JotterCache.class.getName()
        + " or its supertypes, not to " + clazz.getName());
  }

  /** Turns statistics collection on or off ({@code CacheManager.enableStatistics}). */
  void setStatisticsEnabled(boolean enabled) {
    configuration.setStatisticsEnabled(enabled);
    statistics.setEnabled(enabled);
    resources.exportStatistics(enabled);
  }

  /** Turns the configuration MBean on or off ({@code CacheManager.enableManagement}). */
  void setManagementEnabled(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    resources.exportConfiguration(enabled);
  }

  @Override
  public String toString() {
    return "JotterCache[" + name + "]";
  }

  // ---------------------------------------------------------------- helpers

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("Cache " + name + " is closed");
    }
  }

  private void requireKey(K key) {
    Objects.requireNonNull(key, "a cache key must not be null");
    if (keyType != Object.class && !keyType.isInstance(key)) {
      throw new ClassCastException("Cache " + name + " takes keys of type " + keyType.getName()
          + ", not " + key.getClass().getName());
    }
  }

  /** Checks a value (a processor's too); returns it. */
  V requireValue(@Nullable V value) {
    Objects.requireNonNull(value, "a cache value must not be null");
    if (valueType != Object.class && !valueType.isInstance(value)) {
      throw new ClassCastException("Cache " + name + " takes values of type " + valueType.getName()
          + ", not " + value.getClass().getName());
    }
    return value;
  }

  private void requireEntry(K key, V value) {
    requireKey(key);
    requireValue(value);
  }

  /** Which statistics timers an operation feeds. */
  private enum Timing { PUT, PUT_AND_GET, REMOVE, REMOVE_AND_GET }

  /**
   * Runs an operation timed for the statistics, then delivers the synchronous events.
   *
   * @return the operation's result, or null
   */
  private @Nullable Object timed(Timing timing, Supplier<@Nullable Object> operation) {
    long start = startTimer();
    try {
      return operation.get();
    } finally {
      long elapsed = elapsedSince(start);
      switch (timing) {
        case PUT -> statistics.recordPutTime(elapsed);
        case PUT_AND_GET -> {
          statistics.recordPutTime(elapsed);
          statistics.recordGetTime(elapsed);
        }
        case REMOVE -> statistics.recordRemoveTime(elapsed);
        case REMOVE_AND_GET -> {
          statistics.recordRemoveTime(elapsed);
          statistics.recordGetTime(elapsed);
        }
        default -> throw new AssertionError(timing);
      }
      dispatcher.dispatchSynchronous();
    }
  }

  /** {@link #timed} for a mutation whose result is always a {@code Boolean}. */
  private boolean timedFlag(Timing timing, Supplier<@Nullable Object> operation) {
    return (Boolean) Objects.requireNonNull(timed(timing, operation), "the mutation's result");
  }

  @SuppressWarnings("unchecked")
  private @Nullable V copyOut(@Nullable Object value) {
    return (value == null) ? null : core.copyOut((V) value);
  }

  private long startTimer() {
    return statistics.isEnabled() ? ticker.read() : 0L;
  }

  private long elapsedSince(long start) {
    return statistics.isEnabled() ? ticker.read() - start : 0L;
  }

  /** The listener of {@code loadAll} calls that passed none. */
  private enum NoCompletionListener implements CompletionListener {
    INSTANCE;

    @Override
    public void onCompletion() {}

    @Override
    public void onException(Exception e) {}
  }
}
