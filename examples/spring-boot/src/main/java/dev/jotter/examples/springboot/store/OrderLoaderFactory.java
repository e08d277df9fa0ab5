package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;

/**
 * Named by {@code cache.orders.loader-factory} in {@code jotter.properties}.
 *
 * <p>It is a loader as well as a factory of loaders: jotter-jcache 0.1.0-SNAPSHOT instantiates the
 * named factory class and then uses <em>that instance</em> as the loader (a provider bug, see
 * {@code ConfigurationFileFactoryBugTest}); once fixed, {@link #create()} is used and this class can
 * drop {@code extends OrderLoader}.
 */
public class OrderLoaderFactory extends OrderLoader implements Factory<CacheLoader<Long, Order>> {
  private static final long serialVersionUID = 1L;

  @Override
  public CacheLoader<Long, Order> create() {
    return new OrderLoader();
  }
}
