package dev.jotter;

import dev.jotter.expiry.ExpiryCalculator;
import dev.jotter.store.ValueHolder;
import dev.jotter.writer.WriterRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;
import org.jspecify.annotations.Nullable;

/**
 * How a cache answers what it does not hold: the write-behind buffer first, then the loader.
 *
 * <ul>
 *   <li><b>Reads never travel back in time</b> (contract clause 7): while write-behind holds an
 *       unconfirmed operation of a key, or its dead letter, that is the answer and the loader is
 *       not called — the database holds an older state.
 *   <li>A miss loads inside the key's atomic section, so concurrent misses of one key load once.
 *   <li>Loaded values are stored as creations (an event, no put statistic) and never reach the
 *       writer.
 * </ul>
 */
final class ReadThrough<K, V> {
  private final CacheCore<K, V> c;
  private final Executor loadExecutor;

  ReadThrough(CacheCore<K, V> core, Executor loadExecutor) {
    this.c = core;
    this.loadExecutor = loadExecutor;
  }

  /** The answer for a key the store does not hold: pending state, else the loader, else null. */
  @Nullable V load(K key) {
    WriterRoute.Pending<V> pending = c.route.pending(key);
    if (pending != null) {
      return pending.isDelete() ? null : pending.value();
    }
    CacheLoader<K, V> loader = c.loader;
    if (!c.readThrough || loader == null) { // read-through has a loader
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
  Map<K, V> loadAll(List<K> keys, boolean callLoader) {
    Map<K, V> result = new HashMap<>(keys.size());
    List<K> toLoad = new ArrayList<>(keys.size());
    for (K key : keys) {
      WriterRoute.Pending<V> pending = c.route.pending(key);
      if (pending == null) {
        toLoad.add(key);
      } else if (!pending.isDelete()) {
        result.put(key, pending.value());
      }
    }
    CacheLoader<K, V> loader = c.loader;
    if (toLoad.isEmpty() || !callLoader || loader == null) { // callers ask only with a loader
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

  /**
   * A miss of {@code get}: loads inside the key's atomic section; returns a copy for the caller,
   * or null if nothing answers for the key.
   */
  @Nullable V loadAndStore(K key) {
    @SuppressWarnings("unchecked")
    @Nullable V[] result = (@Nullable V[]) new Object[1];
    c.store.compute(c.copyIn(key), (k, current) -> {
      if (current != null) {
        result[0] = c.copyOut(current.value());
        return current;
      }
      V loaded = load(key);
      if (loaded == null) {
        return null;
      }
      result[0] = loaded;
      return c.createdByLoad(key, c.copyIn(loaded));
    });
    return result[0];
  }

  /** Stores a loaded value: never written back to the writer; replaces only when asked to. */
  void storeLoaded(K key, V value, boolean replaceExisting) {
    c.store.compute(c.copyIn(key), (k, current) -> {
      if (current == null) {
        return c.createdByLoad(key, c.copyIn(value));
      }
      if (!replaceExisting) {
        return current;
      }
      return c.updated(key, current, c.copyIn(value));
    });
  }

  /** The misses of {@code getAll}: loaded, stored and added to {@code result}. */
  void loadMissing(List<K> missing, Map<K, V> result) {
    Map<K, V> loaded = loadAll(missing, c.readThrough);
    for (K key : missing) {
      V value = loaded.get(key);
      if (value != null) {
        storeLoaded(key, value, false);
        result.put(key, value);
      }
    }
  }

  /** {@code Cache.loadAll}: on the load executor, then the listener. */
  void loadAllAsync(List<K> requested, boolean replaceExistingValues, CompletionListener listener) {
    if (c.loader == null) {
      listener.onCompletion();
      return;
    }
    loadExecutor.execute(() -> {
      try {
        List<K> toLoad = new ArrayList<>(requested.size());
        for (K key : requested) {
          if (replaceExistingValues || c.store.peek(key) == null) {
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
        c.dispatcher.dispatchSynchronous();
        listener.onCompletion();
      } catch (RuntimeException e) {
        c.dispatcher.dispatchSynchronous();
        listener.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
      }
    });
  }

  /** Applies the access expiry to an entry that was just read. */
  void touch(K key, ValueHolder<V> read) {
    if (c.expiry.isEternal()) {
      return;
    }
    long deadline = c.expiry.forAccess();
    if (deadline != ExpiryCalculator.UNCHANGED) {
      c.store.computeIfPresent(key,
          (k, current) -> current == read ? current.withExpiresAt(deadline) : current);
    }
  }
}
