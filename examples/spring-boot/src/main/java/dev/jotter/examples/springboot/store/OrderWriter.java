package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * Writes the {@code orders} cache to the database. Jotter calls it from its write-behind flusher with
 * batches ({@code writeAll}/{@code deleteAll}), one transaction per batch.
 */
public class OrderWriter implements CacheWriter<Long, Order> {

  private static final AtomicLong WRITTEN = new AtomicLong();
  private static final AtomicLong DELETED = new AtomicLong();

  @Override
  public void write(Cache.Entry<? extends Long, ? extends Order> entry) {
    OrderRows.upsert(List.of(entry.getValue()));
    WRITTEN.incrementAndGet();
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends Long, ? extends Order>> entries) {
    List<Order> orders = new ArrayList<>(entries.size());
    for (Cache.Entry<? extends Long, ? extends Order> entry : entries) {
      orders.add(entry.getValue());
    }
    OrderRows.upsert(orders);
    WRITTEN.addAndGet(orders.size());
    entries.clear(); // all written
  }

  @Override
  public void delete(Object key) {
    OrderRows.delete(List.of((Long) key));
    DELETED.incrementAndGet();
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    List<Long> ids = new ArrayList<>(keys.size());
    for (Object key : keys) {
      ids.add((Long) key);
    }
    OrderRows.delete(ids);
    DELETED.addAndGet(ids.size());
    keys.clear(); // all deleted
  }

  /** Rows written so far (in this JVM). */
  public static long rowsWritten() {
    return WRITTEN.get();
  }

  /** Rows deleted so far (in this JVM). */
  public static long rowsDeleted() {
    return DELETED.get();
  }
}
