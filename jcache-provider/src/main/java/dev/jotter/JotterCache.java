package dev.jotter;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.Ticker;
import dev.jotter.copy.Copier;
import dev.jotter.copy.SerializationCopier;
import dev.jotter.event.EventDispatcher;
import dev.jotter.expiry.ExpiryCalculator;
import dev.jotter.management.JotterStatistics;
import dev.jotter.processor.EntryProcessorEntry;
import dev.jotter.store.EntryStore;
import dev.jotter.store.ValueHolder;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.WriteBehind;
import dev.jotter.writebehind.WriteBehindRoute;
import dev.jotter.writebehind.WriteBehindStatistics;
import dev.jotter.writer.WriterRoute;
import dev.jotter.writer.WriterRoute.Ticket;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * A Jotter cache: the JCache {@link Cache} API over a Caffeine map.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li><b>Atomicity.</b> Every mutation of a key runs inside {@link EntryStore#compute}, Caffeine's
 *       per-key atomic section. The writer route, the statistics and the events of the mutation are
 *       all called from inside it, so that they see a key's mutations in the order the cache applied
 *       them. A loader runs there too (read-through), so a key is loaded once however many threads
 *       miss it at the same time.
 *   <li><b>Failure.</b> The writer is called before the new state is built and events are raised, so
 *       a writer (or entry processor) exception leaves the entry, the statistics and the listeners
 *       untouched. Synchronous listeners run after the atomic section (see {@link EventDispatcher}).
 *   <li><b>Time.</b> Deadlines come from the JCache {@code ExpiryPolicy}, asked exactly once per
 *       operation as the TCK demands, and are enforced by Caffeine; the time source is the configured
 *       {@link Ticker}.
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
  private final ExpiryCalculator expiry;
  private final EventDispatcher<K, V> dispatcher;
  private final JotterStatistics statistics;
  private final Copier copier;
  private final CacheLoader<K, V> loader;
  private final boolean readThrough;
  private final boolean writeBehind;
  private final WriterRoute<K, V> route;
  private final Ticker ticker;
  private final Class<?> keyType;
  private final Class<?> valueType;
  private final boolean storeByValue;
  private volatile boolean closed;

  JotterCache(String name, JotterCacheManager manager, JotterConfiguration<K, V> configuration,
      CacheResources<K, V> resources) {
    this.name = name;
    this.manager = manager;
    this.configuration = configuration;
    this.resources = resources;
    this.ticker = resources.ticker();
    this.expiry = resources.expiry();
    this.dispatcher = resources.dispatcher();
    this.statistics = resources.statistics();
    this.copier = resources.copier();
    this.loader = resources.loader();
    this.route = resources.route();
    this.readThrough = configuration.isReadThrough() && loader != null;
    this.writeBehind = route.isWriteBehind();
    this.keyType = configuration.getKeyType();
    this.valueType = configuration.getValueType();
    this.storeByValue = configuration.isStoreByValue();
    this.store = new EntryStore<>(configuration, ticker, !expiry.isEternal(), this::onEviction);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public V get(K key) {
    requireOpen();
    requireKey(key);
    long start = startTimer();
    try {
      ValueHolder<V> holder = store.get(key);
      if (holder != null) {
        statistics.recordHits(1);
        touch(key, holder);
        return copyOut(holder.value());
      }
      statistics.recordMisses(1);
      return readThrough || writeBehind ? loadAndStore(key) : null;
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
          touch(key, holder);
          result.put(key, copyOut(holder.value()));
        } else {
          missing.add(key);
        }
      }
      statistics.recordHits(result.size());
      statistics.recordMisses(missing.size());
      if ((readThrough || writeBehind) && !missing.isEmpty()) {
        Map<K, V> loaded = loadAll(missing, readThrough);
        for (K key : missing) {
          V value = loaded.get(key);
          if (value != null) {
            storeLoaded(key, value, false);
            result.put(key, value);
          }
        }
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
    WriterRoute.Pending<V> pending = writeBehind ? route.pending(key) : null;
    return pending != null && !pending.isDelete();
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues,
      CompletionListener completionListener) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    CompletionListener listener = completionListener == null ? NoCompletionListener.INSTANCE
        : completionListener;
    if (loader == null) {
      listener.onCompletion();
      return;
    }
    List<K> requested = new ArrayList<>(keys);
    resources.loadExecutor().execute(() -> {
      try {
        List<K> toLoad = new ArrayList<>(requested.size());
        for (K key : requested) {
          if (replaceExistingValues || store.peek(key) == null) {
            toLoad.add(key);
          }
        }
        Map<K, V> loaded = toLoad.isEmpty() ? Map.of() : loadAll(toLoad, true);
        for (K key : toLoad) {
          V value = loaded.get(key);
          if (value != null) {
            storeLoaded(key, value, replaceExistingValues);
          }
        }
        dispatcher.dispatchSynchronous();
        listener.onCompletion();
      } catch (RuntimeException e) {
        dispatcher.dispatchSynchronous();
        listener.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
      }
    });
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    long start = startTimer();
    try {
      putInternal(key, value, copyIn(value), true, false);
    } finally {
      statistics.recordPutTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public V getAndPut(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    long start = startTimer();
    try {
      V old = putInternal(key, value, copyIn(value), true, true);
      return copyOut(old);
    } finally {
      long elapsed = elapsedSince(start);
      statistics.recordPutTime(elapsed);
      statistics.recordGetTime(elapsed);
      dispatcher.dispatchSynchronous();
    }
  }

  /**
   * Stores a value and returns the one it replaced. {@code stored} is the copy the cache keeps, made
   * by the caller before anything is written, so that a value that cannot be copied never reaches the
   * writer. {@code write} says whether the writer route gets the write (not when write-through already
   * wrote a whole batch), {@code countAccess} whether the lookup counts as a hit or miss
   * ({@code getAndPut}).
   */
  private V putInternal(K key, V value, V stored, boolean write, boolean countAccess) {
    if (!write) {
      return putAdmitted(null, key, value, stored, false, countAccess);
    }
    Ticket ticket = route.admit(key);
    try {
      return putAdmitted(ticket, key, value, stored, true, countAccess);
    } finally {
      route.release(ticket);
    }
  }

  /** {@link #putInternal} for a key the writer route has admitted already (or that is not written). */
  private V putAdmitted(Ticket ticket, K key, V value, V stored, boolean write, boolean countAccess) {
    @SuppressWarnings("unchecked")
    V[] replaced = (V[]) new Object[1];
    store.compute(copyIn(key), (k, current) -> {
      if (write) {
        route.write(ticket, key, value);
      }
      if (countAccess) {
        recordAccess(current != null);
      }
      if (current == null) {
        return created(key, stored);
      }
      replaced[0] = current.value();
      statistics.recordPuts(1);
      dispatcher.publishUpdated(this, key, current.value(), stored);
      return ExpiryCalculator.apply(new ValueHolder<>(stored, current.expiresAt()), expiry.forUpdate());
    });
    return replaced[0];
  }

  /** Builds the holder of a new entry, or null when its creation expiry says it is expired at once. */
  private ValueHolder<V> created(K key, V stored) {
    ValueHolder<V> holder = createdByLoad(key, stored);
    if (holder != null) {
      statistics.recordPuts(1);
    }
    return holder;
  }

  /** Like {@link #created}, for a loaded value: a load is not a put in the statistics. */
  private ValueHolder<V> createdByLoad(K key, V stored) {
    long deadline = expiry.forCreation();
    if (deadline == ExpiryCalculator.EXPIRED) {
      return null;
    }
    dispatcher.publishCreated(this, key, stored);
    return new ValueHolder<>(stored, deadline);
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    requireOpen();
    Objects.requireNonNull(map, "map");
    map.forEach(this::requireEntry);
    long start = startTimer();
    try {
      Map<K, V> entries = new LinkedHashMap<>(map);
      // copy everything first: a value that cannot be copied must fail the call before any write
      Map<K, V> copies = new HashMap<>(entries.size());
      entries.forEach((key, value) -> copies.put(key, copyIn(value)));
      if (route.isWriteBehind() && !route.admitsBulkAtOnce()) {
        entries.forEach((key, value) -> putInternal(key, value, copies.get(key), true, false));
        return;
      }
      if (route.isWriteBehind()) {
        // the overflow policy admits all the keys or none, before the cache changes (clause 8)
        List<Ticket> tickets = route.admitAll(entries.keySet());
        try {
          Iterator<Ticket> ticket = tickets.iterator();
          entries.forEach((key, value) ->
              putAdmitted(ticket.next(), key, value, copies.get(key), true, false));
        } finally {
          route.releaseAll(tickets);
        }
        return;
      }
      RuntimeException failure = route.writeAll(entries);
      entries.forEach((key, value) -> putInternal(key, value, copies.get(key), false, false));
      if (failure != null) {
        throw failure;
      }
    } finally {
      statistics.recordPutTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    long start = startTimer();
    boolean[] absent = {false};
    K storedKey = copyIn(key);
    V stored = copyIn(value);
    Ticket ticket = route.admit(key);
    try {
      store.compute(storedKey, (k, current) -> {
        if (current != null) {
          statistics.recordHits(1);
          return current;
        }
        route.write(ticket, key, value);
        statistics.recordMisses(1);
        absent[0] = true;
        return created(key, stored);
      });
      return absent[0];
    } finally {
      route.release(ticket);
      statistics.recordPutTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public boolean remove(K key) {
    requireOpen();
    requireKey(key);
    long start = startTimer();
    try {
      return removeInternal(key, true) != null;
    } finally {
      statistics.recordRemoveTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  /** Removes a key and returns its value; {@code write} says whether the writer route gets the delete. */
  private V removeInternal(K key, boolean write) {
    if (!write) {
      return removeAdmitted(null, key, false);
    }
    Ticket ticket = route.admit(key);
    try {
      return removeAdmitted(ticket, key, true);
    } finally {
      route.release(ticket);
    }
  }

  /** {@link #removeInternal} for a key the writer route has admitted already (or not written). */
  private V removeAdmitted(Ticket ticket, K key, boolean write) {
    @SuppressWarnings("unchecked")
    V[] removed = (V[]) new Object[1];
    store.compute(key, (k, current) -> {
      if (write) {
        route.delete(ticket, key);
      }
      if (current != null) {
        removed[0] = current.value();
        statistics.recordRemovals(1);
        dispatcher.publishRemoved(this, key, current.value());
      }
      return null;
    });
    return removed[0];
  }

  @Override
  public boolean remove(K key, V oldValue) {
    requireOpen();
    requireEntry(key, oldValue);
    long start = startTimer();
    boolean[] removed = {false};
    Ticket ticket = route.admit(key);
    try {
      store.compute(key, (k, current) -> {
        if (current == null) {
          statistics.recordMisses(1);
          return null;
        }
        statistics.recordHits(1);
        if (!current.value().equals(oldValue)) {
          return ExpiryCalculator.apply(current, expiry.forAccess());
        }
        route.delete(ticket, key);
        removed[0] = true;
        statistics.recordRemovals(1);
        dispatcher.publishRemoved(this, key, current.value());
        return null;
      });
      return removed[0];
    } finally {
      route.release(ticket);
      statistics.recordRemoveTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public V getAndRemove(K key) {
    requireOpen();
    requireKey(key);
    long start = startTimer();
    try {
      V removed = removeInternal(key, true);
      recordAccess(removed != null);
      return copyOut(removed);
    } finally {
      long elapsed = elapsedSince(start);
      statistics.recordRemoveTime(elapsed);
      statistics.recordGetTime(elapsed);
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    requireOpen();
    requireEntry(key, oldValue);
    requireValue(newValue);
    long start = startTimer();
    boolean[] present = {false};
    boolean[] replaced = {false};
    Ticket ticket = route.admit(key);
    try {
      store.computeIfPresent(key, (k, current) -> {
        present[0] = true;
        if (!current.value().equals(oldValue)) {
          return ExpiryCalculator.apply(current, expiry.forAccess());
        }
        replaced[0] = true;
        return updated(ticket, key, current, newValue);
      });
      recordAccess(present[0]);
      return replaced[0];
    } finally {
      route.release(ticket);
      statistics.recordPutTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public boolean replace(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    long start = startTimer();
    try {
      return replaceInternal(key, value) != null;
    } finally {
      statistics.recordPutTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public V getAndReplace(K key, V value) {
    requireOpen();
    requireEntry(key, value);
    long start = startTimer();
    try {
      return copyOut(replaceInternal(key, value));
    } finally {
      long elapsed = elapsedSince(start);
      statistics.recordPutTime(elapsed);
      statistics.recordGetTime(elapsed);
      dispatcher.dispatchSynchronous();
    }
  }

  /** Replaces the value of a present key and returns the old value, or null if absent. */
  private V replaceInternal(K key, V value) {
    @SuppressWarnings("unchecked")
    V[] replaced = (V[]) new Object[1];
    Ticket ticket = route.admit(key);
    try {
      store.computeIfPresent(key, (k, current) -> {
        replaced[0] = current.value();
        return updated(ticket, key, current, value);
      });
    } finally {
      route.release(ticket);
    }
    recordAccess(replaced[0] != null);
    return replaced[0];
  }

  /** Writes and applies an update of a present entry; called inside the key's atomic section. */
  private ValueHolder<V> updated(Ticket ticket, K key, ValueHolder<V> current, V value) {
    V stored = copyIn(value);
    route.write(ticket, key, value);
    statistics.recordPuts(1);
    dispatcher.publishUpdated(this, key, current.value(), stored);
    return ExpiryCalculator.apply(new ValueHolder<>(stored, current.expiresAt()), expiry.forUpdate());
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    long start = startTimer();
    try {
      removeAllInternal(new LinkedHashSet<>(keys));
    } finally {
      statistics.recordRemoveTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  @Override
  public void removeAll() {
    requireOpen();
    long start = startTimer();
    try {
      Set<K> keys = new LinkedHashSet<>();
      store.keys().forEach(keys::add);
      removeAllInternal(keys);
    } finally {
      statistics.recordRemoveTime(elapsedSince(start));
      dispatcher.dispatchSynchronous();
    }
  }

  private void removeAllInternal(Collection<K> keys) {
    if (route.isWriteBehind() && !route.admitsBulkAtOnce()) {
      keys.forEach(key -> removeInternal(key, true));
      return;
    }
    if (route.isWriteBehind()) {
      List<Ticket> tickets = route.admitAll(keys);
      try {
        Iterator<Ticket> ticket = tickets.iterator();
        keys.forEach(key -> removeAdmitted(ticket.next(), key, true));
      } finally {
        route.releaseAll(tickets);
      }
      return;
    }
    RuntimeException failure = route.deleteAll(keys);
    keys.forEach(key -> removeInternal(key, false));
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void clear() {
    requireOpen();
    store.clear();
    dispatcher.dispatchSynchronous();
  }

  // ---------------------------------------------------------------- entry processors

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    requireOpen();
    requireKey(key);
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    try {
      return invokeInternal(key, entryProcessor, arguments);
    } finally {
      dispatcher.dispatchSynchronous();
    }
  }

  private <T> T invokeInternal(K key, EntryProcessor<K, V, T> processor, Object[] arguments) {
    Ticket ticket = route.admit(key);
    try {
      return invokeAdmitted(ticket, key, processor, arguments);
    } finally {
      route.release(ticket);
    }
  }

  /** {@link #invokeInternal} for a key the writer route has admitted already. */
  private <T> T invokeAdmitted(Ticket ticket, K key, EntryProcessor<K, V, T> processor,
      Object[] arguments) {
    Object[] result = new Object[1];
    store.compute(copyIn(key), (k, current) -> {
      recordAccess(current != null);
      EntryProcessorEntry<K, V> entry = new EntryProcessorEntry<>(key,
          current == null ? null : copyOut(current.value()),
          readThrough || writeBehind ? this::load : null);
      try {
        result[0] = processor.process(entry, arguments);
      } catch (EntryProcessorException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new EntryProcessorException(e);
      }
      return applyProcessed(ticket, key, current, entry);
    });
    @SuppressWarnings("unchecked")
    T typed = (T) result[0];
    return typed;
  }

  /** Applies what an entry processor did; called inside the key's atomic section. */
  private ValueHolder<V> applyProcessed(Ticket ticket, K key, ValueHolder<V> current,
      EntryProcessorEntry<K, V> entry) {
    switch (entry.action()) {
      case NONE:
        return current;
      case READ:
        return ExpiryCalculator.apply(current, expiry.forAccess());
      case LOADED:
        return createdByLoad(key, copyIn(entry.currentValue()));
      case CREATED:
        requireValue(entry.currentValue());
        V stored = copyIn(entry.currentValue());
        route.write(ticket, key, entry.currentValue());
        return created(key, stored);
      case UPDATED:
        requireValue(entry.currentValue());
        return updated(ticket, key, current, entry.currentValue());
      case DELETED:
        route.delete(ticket, key);
        if (current != null) {
          statistics.recordRemovals(1);
          dispatcher.publishRemoved(this, key, current.value());
        }
        return null;
      default:
        throw new AssertionError(entry.action());
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys,
      EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    keys.forEach(this::requireKey);
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    Map<K, EntryProcessorResult<T>> results = new HashMap<>(keys.size());
    List<K> ordered = new ArrayList<>(keys);
    // all keys admitted or none, before any processor runs (clause 8), where the route can
    boolean atOnce = route.admitsBulkAtOnce();
    List<Ticket> tickets = atOnce ? route.admitAll(ordered) : List.of();
    try {
      Iterator<Ticket> ticket = tickets.iterator();
      for (K key : ordered) {
        try {
          T result = atOnce ? invokeAdmitted(ticket.next(), key, entryProcessor, arguments)
              : invokeInternal(key, entryProcessor, arguments);
          if (result != null) {
            results.put(key, () -> result);
          }
        } catch (RuntimeException e) {
          EntryProcessorException failure = e instanceof EntryProcessorException
              ? (EntryProcessorException) e : new EntryProcessorException(e);
          results.put(key, () -> {
            throw failure;
          });
        }
      }
      return results;
    } finally {
      route.releaseAll(tickets);
      dispatcher.dispatchSynchronous();
    }
  }

  // ---------------------------------------------------------------- loading

  /**
   * Loads a key for a read that missed. While write-behind holds an operation of the key that the
   * writer has not confirmed, that operation is the answer and the loader is not called: it would
   * read the database state from before the operation (contract clause 7, "reads never travel back
   * in time"). Otherwise the loader answers, if the cache reads through.
   */
  private V load(K key) {
    WriterRoute.Pending<V> pending = route.pending(key);
    if (pending != null) {
      return pending.isDelete() ? null : pending.value();
    }
    if (!readThrough) {
      return null;
    }
    try {
      return loader.load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("The CacheLoader failed to load " + key + ": " + e, e);
    }
  }

  /**
   * Loads keys like {@link #load}: pending operations answer for their keys, the loader (if
   * {@code callLoader}) for the others.
   */
  private Map<K, V> loadAll(List<K> keys, boolean callLoader) {
    Map<K, V> result = new HashMap<>(keys.size());
    List<K> toLoad = new ArrayList<>(keys.size());
    for (K key : keys) {
      WriterRoute.Pending<V> pending = route.pending(key);
      if (pending == null) {
        toLoad.add(key);
      } else if (!pending.isDelete()) {
        result.put(key, pending.value());
      }
    }
    if (toLoad.isEmpty() || !callLoader) {
      return result;
    }
    try {
      Map<K, V> loaded = loader.loadAll(toLoad);
      if (loaded != null) {
        result.putAll(loaded);
      }
      return result;
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("The CacheLoader failed to load " + toLoad + ": " + e, e);
    }
  }

  /** Read-through of one key, inside its atomic section so that concurrent misses load once. */
  private V loadAndStore(K key) {
    @SuppressWarnings("unchecked")
    V[] result = (V[]) new Object[1];
    store.compute(copyIn(key), (k, current) -> {
      if (current != null) {
        result[0] = copyOut(current.value());
        return current;
      }
      V loaded = load(key);
      if (loaded == null) {
        return null;
      }
      result[0] = loaded;
      return createdByLoad(key, copyIn(loaded));
    });
    return result[0];
  }

  /** Stores a loaded value: never written back to the writer; replaces only when asked to. */
  private void storeLoaded(K key, V value, boolean replaceExisting) {
    store.compute(copyIn(key), (k, current) -> {
      if (current == null) {
        return createdByLoad(key, copyIn(value));
      }
      if (!replaceExisting) {
        return current;
      }
      V stored = copyIn(value);
      statistics.recordPuts(1);
      dispatcher.publishUpdated(this, key, current.value(), stored);
      return ExpiryCalculator.apply(new ValueHolder<>(stored, current.expiresAt()), expiry.forUpdate());
    });
  }

  // ---------------------------------------------------------------- expiry and eviction

  /** Applies the access expiry to an entry that was just read. */
  private void touch(K key, ValueHolder<V> read) {
    if (expiry.isEternal()) {
      return;
    }
    long deadline = expiry.forAccess();
    if (deadline != ExpiryCalculator.UNCHANGED) {
      store.computeIfPresent(key, (k, current) -> current == read ? current.withExpiresAt(deadline) : current);
    }
  }

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
    return new EntryIterator();
  }

  private final class EntryIterator implements Iterator<Cache.Entry<K, V>> {
    private final Iterator<Map.Entry<K, ValueHolder<V>>> delegate = store.iterator();
    private K lastKey;

    @Override
    public boolean hasNext() {
      return delegate.hasNext();
    }

    @Override
    public Cache.Entry<K, V> next() {
      if (!delegate.hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<K, ValueHolder<V>> next = delegate.next();
      lastKey = next.getKey();
      statistics.recordHits(1);
      touch(lastKey, next.getValue());
      dispatcher.dispatchSynchronous();
      return new JotterEntry<>(copyIn(lastKey), copyOut(next.getValue().value()));
    }

    @Override
    public void remove() {
      if (lastKey == null) {
        throw new IllegalStateException("next() has not been called, or remove() was called already");
      }
      requireOpen();
      K key = lastKey;
      lastKey = null;
      JotterCache.this.remove(key);
    }
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
    return (route instanceof WriteBehindRoute)
        ? Optional.of(((WriteBehindRoute<K, V>) route).buffer()) : Optional.empty();
  }

  /**
   * Returns when every mutation acknowledged before the call has reached the writer or was
   * dead-lettered (write-behind), saying which; returns at once for write-through caches, whose
   * writes are done when they return.
   */
  public FlushResult flush() {
    requireOpen();
    return (route instanceof WriteBehindRoute)
        ? ((WriteBehindRoute<K, V>) route).buffer().flush() : FlushResult.NOTHING_PENDING;
  }

  /**
   * Waits at most {@code timeout} for every mutation acknowledged before the call to reach the
   * writer (or the dead letters), and says how it ended: written, dead-lettered, still pending.
   * Completed at once for caches that are not write-behind.
   */
  public FlushResult flush(Duration timeout) {
    requireOpen();
    Objects.requireNonNull(timeout, "timeout");
    return (route instanceof WriteBehindRoute)
        ? ((WriteBehindRoute<K, V>) route).buffer().flush(timeout) : FlushResult.NOTHING_PENDING;
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

  private void requireValue(V value) {
    Objects.requireNonNull(value, "a cache value must not be null");
    if (valueType != Object.class && !valueType.isInstance(value)) {
      throw new ClassCastException("Cache " + name + " takes values of type " + valueType.getName()
          + ", not " + value.getClass().getName());
    }
  }

  private void requireEntry(K key, V value) {
    requireKey(key);
    requireValue(value);
  }

  private void recordAccess(boolean hit) {
    if (hit) {
      statistics.recordHits(1);
    } else {
      statistics.recordMisses(1);
    }
  }

  // immutable keys and values are the common case: they skip the copier and the class loader lookup
  private <T> T copyIn(T object) {
    return storeByValue && !SerializationCopier.isImmutable(object)
        ? copier.copy(object, manager.getClassLoader()) : object;
  }

  private V copyOut(V value) {
    return storeByValue && value != null && !SerializationCopier.isImmutable(value)
        ? copier.copy(value, manager.getClassLoader()) : value;
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
