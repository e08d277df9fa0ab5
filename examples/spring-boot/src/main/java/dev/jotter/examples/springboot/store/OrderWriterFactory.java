package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Named by {@code cache.orders.writer-factory} in {@code jotter.properties}.
 *
 * <p>It is a writer as well as a factory of writers: jotter-jcache 0.1.0-SNAPSHOT instantiates the
 * named factory class and then uses <em>that instance</em> as the writer (a provider bug, see
 * {@code ConfigurationFileFactoryBugTest}); once fixed, {@link #create()} is used and this class can
 * drop {@code extends OrderWriter}.
 */
public class OrderWriterFactory extends OrderWriter implements Factory<CacheWriter<Long, Order>> {
  private static final long serialVersionUID = 1L;

  @Override
  public CacheWriter<Long, Order> create() {
    return new OrderWriter();
  }
}
