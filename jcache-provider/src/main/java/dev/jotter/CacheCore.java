package dev.jotter;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.copy.Copier;
import dev.jotter.copy.SerializationCopier;
import dev.jotter.event.EventDispatcher;
import dev.jotter.expiry.ExpiryCalculator;
import dev.jotter.management.JotterStatistics;
import dev.jotter.store.EntryStore;
import dev.jotter.store.ValueHolder;
import dev.jotter.writer.WriterRoute;
import javax.cache.integration.CacheLoader;
import org.jspecify.annotations.Nullable;

/**
 * What the parts of one cache share: its store, expiry, events, statistics, copier, loader and
 * writer route, and the few steps every part takes the same way — copying a key or value in and
 * out, and building the holder of a created, updated or loaded entry, with its statistics and
 * event. The steps that build holders run inside the key's atomic section.
 */
final class CacheCore<K, V> {
  final JotterCache<K, V> cache;
  final EntryStore<K, V> store;
  final ExpiryCalculator expiry;
  final EventDispatcher<K, V> dispatcher;
  final JotterStatistics statistics;
  final WriterRoute<K, V> route;
  /** The loader, or {@code null}. */
  final @Nullable CacheLoader<K, V> loader;
  /** Whether misses are loaded: read-through with a loader. */
  final boolean readThrough;
  /** Whether misses consult the write-behind buffer first (its pending state is the answer). */
  final boolean writeBehind;
  private final Copier copier;
  private final boolean storeByValue;
  private final ClassLoader classLoader;

  CacheCore(JotterCache<K, V> cache, JotterConfiguration<K, V> configuration,
      CacheResources<K, V> resources, EntryStore<K, V> store, ClassLoader classLoader) {
    this.cache = cache;
    this.store = store;
    this.expiry = resources.expiry();
    this.dispatcher = resources.dispatcher();
    this.statistics = resources.statistics();
    this.route = resources.route();
    this.loader = resources.loader();
    this.readThrough = configuration.isReadThrough() && loader != null;
    this.writeBehind = route.isWriteBehind();
    this.copier = resources.copier();
    this.storeByValue = configuration.isStoreByValue();
    this.classLoader = classLoader;
  }

  /** Whether a miss may be answered by something: the loader, or the write-behind buffer. */
  boolean loadsOnMiss() {
    return readThrough || writeBehind;
  }

  // immutable keys and values are the common case: they skip the copier and the class loader lookup
  <T> T copyIn(T object) {
    return storeByValue && !SerializationCopier.isImmutable(object)
        ? copier.copy(object, classLoader) : object;
  }

  V copyOut(V value) {
    return storeByValue && value != null && !SerializationCopier.isImmutable(value)
        ? copier.copy(value, classLoader) : value;
  }

  void recordAccess(boolean hit) {
    if (hit) {
      statistics.recordHits(1);
    } else {
      statistics.recordMisses(1);
    }
  }

  /** The holder of a new entry, or null when its creation expiry says it is expired at once. */
  @Nullable ValueHolder<V> created(K key, V stored) {
    ValueHolder<V> holder = createdByLoad(key, stored);
    if (holder != null) {
      statistics.recordPuts(1);
    }
    return holder;
  }

  /** Like {@link #created}, for a loaded value: a load is not a put in the statistics. */
  @Nullable ValueHolder<V> createdByLoad(K key, V stored) {
    long deadline = expiry.forCreation();
    if (deadline == ExpiryCalculator.EXPIRED) {
      return null;
    }
    dispatcher.publishCreated(cache, key, stored);
    return new ValueHolder<>(stored, deadline);
  }

  /** The holder of an existing entry that now holds {@code stored}. */
  ValueHolder<V> updated(K key, ValueHolder<V> current, V stored) {
    statistics.recordPuts(1);
    return updatedUncounted(key, current, stored);
  }

  /** Like {@link #updated}, for another node's mutation: not a put of this cache's statistics. */
  ValueHolder<V> updatedUncounted(K key, ValueHolder<V> current, V stored) {
    dispatcher.publishUpdated(cache, key, current.value(), stored);
    return ExpiryCalculator.apply(new ValueHolder<>(stored, current.expiresAt()), expiry.forUpdate());
  }

  /** An existing entry is removed: statistics and event; the section then returns null. */
  void removed(K key, ValueHolder<V> current) {
    statistics.recordRemovals(1);
    dispatcher.publishRemoved(cache, key, current.value());
  }

  /** An existing entry was read: its access expiry applies. */
  ValueHolder<V> accessed(ValueHolder<V> current) {
    return ExpiryCalculator.apply(current, expiry.forAccess());
  }
}
