package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import java.util.HashMap;
import java.util.Map;
import javax.cache.integration.CacheLoader;

/** Reads through to the database on a miss; what it loads is cached, never written back. */
public class OrderLoader implements CacheLoader<Long, Order> {

  @Override
  public Order load(Long key) {
    return OrderRows.select(key);
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
