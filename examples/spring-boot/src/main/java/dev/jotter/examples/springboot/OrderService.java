package dev.jotter.examples.springboot;

import dev.jotter.examples.springboot.store.OrderRows;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import org.springframework.stereotype.Service;

/**
 * The JSR-107 annotations on the write-behind {@code orders} cache.
 *
 * <ul>
 *   <li>{@code @CachePut} is a cache put: the writer stores the order, behind, in a batch;
 *   <li>{@code @CacheRemove} is a cache remove: the writer deletes the row, behind;
 *   <li>{@code @CacheResult} first does a cache get, and the cache is read-through: a miss loads the
 *       row through the loader, and a loaded entry is never written back. The method only runs when
 *       the loader found nothing, and then it throws, so nothing is put — a {@code @CacheResult} that
 *       returned a value would put it, and on this cache that put is a database write;
 *   <li>no {@code @CacheRemoveAll} here: on a cache with a writer it is {@code removeAll()}, which
 *       the writer turns into deleting every row the cache holds.
 * </ul>
 */
@Service
public class OrderService {

  private final OrderRows rows;

  public OrderService(OrderRows rows) {
    this.rows = rows;
  }

  /** Stores an order: cached now, written to the database behind. */
  @CachePut(cacheName = "orders")
  public void save(@CacheKey Long id, @CacheValue Order order) {
    // the annotation puts the value; Jotter's write-behind writes it
  }

  /** Reads an order: from the cache, else loaded from the database by the cache's loader. */
  @CacheResult(cacheName = "orders")
  public Order find(Long id) {
    // reached only when the loader found no row: throwing keeps the miss from becoming a write
    throw new OrderNotFoundException(id);
  }

  /** Deletes an order: from the cache now, from the database behind. */
  @CacheRemove(cacheName = "orders")
  public void delete(Long id) {
    // the annotation removes the entry; Jotter's write-behind deletes the row
  }

  /** Reads the database directly, bypassing the cache (to watch write-behind happen). */
  public Order row(long id) {
    return rows.select(id);
  }
}
