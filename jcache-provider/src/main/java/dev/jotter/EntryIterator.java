package dev.jotter;

import dev.jotter.store.ValueHolder;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import javax.cache.Cache;
import org.jspecify.annotations.Nullable;

/**
 * Iterates over a cache's live entries (weakly consistent, as Caffeine's map is). Each entry
 * returned is a hit in the statistics and an access for expiry; {@link #remove()} removes through
 * the cache, so the writer and listeners see it as a {@code remove}.
 */
final class EntryIterator<K, V> implements Iterator<Cache.Entry<K, V>> {
  private final CacheCore<K, V> c;
  private final ReadThrough<K, V> reads;
  private final Iterator<Map.Entry<K, ValueHolder<V>>> delegate;
  /** The key of the entry {@link #next()} returned, until {@link #remove()}; else null. */
  private @Nullable K lastKey;

  EntryIterator(CacheCore<K, V> core, ReadThrough<K, V> reads) {
    this.c = core;
    this.reads = reads;
    this.delegate = core.store.iterator();
  }

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
    K key = next.getKey();
    lastKey = key;
    c.statistics.recordHits(1);
    reads.touch(key, next.getValue());
    c.dispatcher.dispatchSynchronous();
    return new JotterEntry<>(c.copyIn(key), c.copyOut(next.getValue().value()));
  }

  @Override
  public void remove() {
    if (lastKey == null) {
      throw new IllegalStateException("next() has not been called, or remove() was called already");
    }
    K key = lastKey;
    lastKey = null;
    c.cache.remove(key);
  }
}
