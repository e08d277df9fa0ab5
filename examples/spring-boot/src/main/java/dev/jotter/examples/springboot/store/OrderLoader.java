package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import java.util.HashMap;
import java.util.Map;
import javax.cache.integration.CacheLoader;
import org.springframework.stereotype.Component;

/**
 * Reads through to the database on a miss; what it loads is cached, never written back. A Spring
 * bean, reached through {@code dev.jotter.spring.BeanLoaderFactory}.
 */
@Component("orderLoader")
public class OrderLoader implements CacheLoader<Long, Order> {

  private final OrderRows rows;

  public OrderLoader(OrderRows rows) {
    this.rows = rows;
  }

  @Override
  public Order load(Long key) {
    return rows.select(key);
  }

  @Override
  public Map<Long, Order> loadAll(Iterable<? extends Long> keys) {
    Map<Long, Order> found = new HashMap<>();
    for (Long key : keys) {
      Order order = load(key);
      if (order != null) {
        found.put(key, order);
      }
    }
    return found;
  }
}
