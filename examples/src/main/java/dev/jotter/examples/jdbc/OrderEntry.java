package dev.jotter.examples.jdbc;

import java.util.Objects;
import javax.cache.Cache;

/**
 * An order with its id, in the shape a {@link javax.cache.integration.CacheWriter} takes: for
 * writing to the table without going through a cache, as when seeding it.
 *
 * @param getKey   the order id
 * @param getValue the order
 */
public record OrderEntry(Long getKey, Order getValue) implements Cache.Entry<Long, Order> {

  /** Rejects nulls, which no cache would hand to a writer. */
  public OrderEntry {
    Objects.requireNonNull(getKey, "key");
    Objects.requireNonNull(getValue, "value");
  }

  /**
   * Unwraps to this record only; there is no provider object behind it.
   *
   * @throws IllegalArgumentException unless {@code type} is a supertype of this record
   */
  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("An OrderEntry cannot be unwrapped to " + type);
  }
}
