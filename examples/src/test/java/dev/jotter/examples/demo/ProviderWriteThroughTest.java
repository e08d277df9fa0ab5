package dev.jotter.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jotter.examples.jdbc.Order;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.Test;

/**
 * Pins what the workload relies on from the JCache provider's write-through, so that a
 * provider swap that breaks it fails here, with a name, rather than as a demo mismatch.
 */
class ProviderWriteThroughTest {

  /** Remembers what it was asked to write; static because the provider builds it by class. */
  public static final class RecordingWriter implements CacheWriter<Long, Order> {
    static final List<Order> WRITTEN = new ArrayList<>();

    @Override
    public synchronized void write(Cache.Entry<? extends Long, ? extends Order> entry) {
      WRITTEN.add(entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Long, ? extends Order>> entries) {
      entries.removeIf(entry -> {
        write(entry);
        return true;
      });
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }

  @Test
  void conditionalReplaceWritesTheNewValue() {
    // Caffeine's JCache provider (3.2.3) hands the OLD value to CacheWriter.write here
    CachingProvider provider = Caching.getCachingProvider();
    CacheManager manager = provider.getCacheManager();
    Cache<Long, Order> cache = manager.createCache("replace-test",
        new MutableConfiguration<Long, Order>().setTypes(Long.class, Order.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class)));
    try {
      RecordingWriter.WRITTEN.clear();
      Order first = new Order("ada", 100, 1);
      cache.put(1L, first);
      cache.replace(1L, first, first.withAmount(150));

      assertEquals(List.of(first, first.withAmount(150)), RecordingWriter.WRITTEN);
    } finally {
      manager.destroyCache("replace-test");
    }
  }

  @Test
  void unconditionalReplaceWritesTheNewValue() {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<Long, Order> cache = manager.createCache("replace2-test",
        new MutableConfiguration<Long, Order>().setTypes(Long.class, Order.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class)));
    try {
      RecordingWriter.WRITTEN.clear();
      Order first = new Order("ada", 100, 1);
      cache.put(1L, first);
      cache.replace(1L, first.withAmount(150));

      assertEquals(List.of(first, first.withAmount(150)), RecordingWriter.WRITTEN);
    } finally {
      manager.destroyCache("replace2-test");
    }
  }
}
