package dev.jotter.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A writer into a static table that keeps every key's history. A batch with a poison key fails
 * whole, without touching the collection (like a rolled-back transaction); a gate holds every
 * call until it opens.
 */
public final class RecordingWriter implements CacheWriter<String, String> {
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();
  static final Map<String, List<String>> HISTORY = new ConcurrentHashMap<>();
  static final Set<String> POISON = ConcurrentHashMap.newKeySet();
  static final List<Integer> BATCH_SIZES = new java.util.concurrent.CopyOnWriteArrayList<>();
  static final AtomicInteger CALLS = new AtomicInteger();
  static volatile CountDownLatch gate = new CountDownLatch(0);
  /** Writes the healthy entries of a batch with a poison key, then throws (JCache's partial failure). */
  static volatile boolean partial;

  static void reset() {
    TABLE.clear();
    HISTORY.clear();
    POISON.clear();
    partial = false;
    BATCH_SIZES.clear();
    CALLS.set(0);
    gate = new CountDownLatch(0);
  }

  private static void pass() {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriterException(e);
    }
  }

  private static synchronized void record(String key, String value) {
    HISTORY.computeIfAbsent(key, k -> new ArrayList<>()).add(value == null ? "<deleted>" : value);
    if (value == null) {
      TABLE.remove(key);
    } else {
      TABLE.put(key, value);
    }
  }

  @Override
  public void write(Cache.Entry<? extends String, ? extends String> entry) {
    List<Cache.Entry<? extends String, ? extends String>> one = new ArrayList<>(List.of(entry));
    writeAll(one);
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    pass();
    CALLS.incrementAndGet();
    BATCH_SIZES.add(entries.size());
    for (Cache.Entry<? extends String, ? extends String> e : entries) {
      if (POISON.contains(e.getKey()) && !partial) {
        throw new CacheWriterException("poison key " + e.getKey() + " rejected");
      }
    }
    String poison = null;
    for (Iterator<Cache.Entry<? extends String, ? extends String>> it = entries.iterator();
        it.hasNext(); ) {
      Cache.Entry<? extends String, ? extends String> e = it.next();
      if (POISON.contains(e.getKey())) {
        poison = e.getKey(); // left in the collection: not written
        continue;
      }
      record(e.getKey(), e.getValue());
      it.remove();
    }
    if (poison != null) {
      throw new CacheWriterException("poison key " + poison + " rejected");
    }
  }

  @Override
  public void delete(Object key) {
    deleteAll(new ArrayList<>(List.of(key)));
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    pass();
    CALLS.incrementAndGet();
    BATCH_SIZES.add(keys.size());
    for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
      record((String) it.next(), null);
      it.remove();
    }
  }
}
