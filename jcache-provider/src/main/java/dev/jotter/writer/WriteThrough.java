package dev.jotter.writer;

import dev.jotter.JotterEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.jspecify.annotations.Nullable;

/**
 * Synchronous write-through, as the JCache specification defines it: the writer is called before the
 * cache changes, and a writer exception aborts the change and reaches the caller as a
 * {@link CacheWriterException}.
 */
final class WriteThrough<K, V> implements WriterRoute<K, V> {

  private final CacheWriter<K, V> writer;

  @SuppressWarnings("unchecked")
  WriteThrough(CacheWriter<? super K, ? super V> writer) {
    // a writer of supertypes accepts our entries; the cast only lets its batch methods take them
    this.writer = (CacheWriter<K, V>) writer;
  }

  @Override
  public @Nullable Ticket admit(K key) {
    return null;
  }

  @Override
  public void write(@Nullable Ticket ticket, K key, V value) {
    try {
      writer.write(new JotterEntry<>(key, value));
    } catch (RuntimeException e) {
      throw asWriterException(e);
    }
  }

  @Override
  public void delete(@Nullable Ticket ticket, K key) {
    try {
      writer.delete(key);
    } catch (RuntimeException e) {
      throw asWriterException(e);
    }
  }

  @Override
  public void release(@Nullable Ticket ticket) {}

  @Override
  public boolean isWriteBehind() {
    return false;
  }

  @Override
  public @Nullable RuntimeException writeAll(Map<K, V> entries) {
    if (entries.isEmpty()) {
      return null;
    }
    List<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>(entries.size());
    entries.forEach((key, value) -> batch.add(new JotterEntry<>(key, value)));
    try {
      writer.writeAll(batch);
      return null;
    } catch (RuntimeException e) {
      // JCache rule: what the writer left in the collection was not written
      entries.keySet().removeAll(keysOf(batch));
      return asWriterException(e);
    }
  }

  @Override
  public @Nullable RuntimeException deleteAll(Collection<K> keys) {
    if (keys.isEmpty()) {
      return null;
    }
    List<K> batch = new ArrayList<>(keys);
    try {
      writer.deleteAll(batch);
      return null;
    } catch (RuntimeException e) {
      keys.removeAll(batch);
      return asWriterException(e);
    }
  }

  private static <K> List<K> keysOf(List<? extends Cache.Entry<? extends K, ?>> entries) {
    List<K> keys = new ArrayList<>(entries.size());
    entries.forEach(entry -> keys.add(entry.getKey()));
    return keys;
  }

  static CacheWriterException asWriterException(RuntimeException e) {
    return e instanceof CacheWriterException
        ? (CacheWriterException) e
        : new CacheWriterException("The CacheWriter failed: " + e, e);
  }
}
