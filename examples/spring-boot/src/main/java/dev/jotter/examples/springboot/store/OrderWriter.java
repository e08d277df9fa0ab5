package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import org.springframework.stereotype.Component;

/**
 * Writes the {@code orders} cache to the database: a Spring bean, which the cache reaches through
 * {@code dev.jotter.spring.BeanWriterFactory} ({@code jotter.properties}) and
 * {@code jotter.caches.orders.writer-bean} ({@code application.properties}). Jotter calls it from its
 * write-behind flusher with batches ({@code writeAll}/{@code deleteAll}), one transaction per batch;
 * a batch that fails as a whole is split by Jotter until the failing rows are isolated.
 */
@Component("orderWriter")
public class OrderWriter implements CacheWriter<Long, Order> {

  private final OrderRows rows;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();

  public OrderWriter(OrderRows rows) {
    this.rows = rows;
  }

  @Override
  public void write(Cache.Entry<? extends Long, ? extends Order> entry) {
    rows.upsert(List.of(entry.getValue()));
    written.incrementAndGet();
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends Long, ? extends Order>> entries) {
    List<Order> orders = new ArrayList<>(entries.size());
    for (Cache.Entry<? extends Long, ? extends Order> entry : entries) {
      orders.add(entry.getValue());
    }
    rows.upsert(orders);
    written.addAndGet(orders.size());
    entries.clear(); // all written
  }

  @Override
  public void delete(Object key) {
    rows.delete(List.of((Long) key));
    deleted.incrementAndGet();
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    List<Long> ids = new ArrayList<>(keys.size());
    for (Object key : keys) {
      ids.add((Long) key);
    }
    rows.delete(ids);
    deleted.addAndGet(ids.size());
    keys.clear(); // all deleted
  }

  /** Rows written so far. */
  public long rowsWritten() {
    return written.get();
  }

  /** Rows deleted so far. */
  public long rowsDeleted() {
    return deleted.get();
  }
}
