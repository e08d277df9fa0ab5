package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;

class WriteBehindCacheSmokeTest {

  /** A writer into a map, counting its calls; static state because JCache builds it from a factory. */
  public static final class MapWriter implements CacheWriter<Integer, Integer> {
    static final Map<Integer, Integer> TABLE = new ConcurrentHashMap<>();
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public void write(Cache.Entry<? extends Integer, ? extends Integer> entry) {
      CALLS.incrementAndGet();
      TABLE.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends Integer>> entries) {
      CALLS.incrementAndGet();
      entries.forEach(e -> TABLE.put(e.getKey(), e.getValue()));
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      CALLS.incrementAndGet();
      TABLE.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      CALLS.incrementAndGet();
      keys.forEach(TABLE::remove);
      keys.clear();
    }
  }

  @Test
  void writeBehindCacheEndsWhereTheCacheEnds() {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    JotterConfiguration<Integer, Integer> config = new JotterConfiguration<Integer, Integer>()
        .setWriteBehind(WriteBehindConfiguration.builder().batchSize(50)
            .maxWriteDelay(Duration.ofMillis(5)).build());
    config.setTypes(Integer.class, Integer.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(MapWriter.class));
    Cache<Integer, Integer> cache = manager.createCache("wb-smoke", config);
    try {
      Random random = new Random(7);
      for (int i = 0; i < 5_000; i++) {
        int key = random.nextInt(20);
        if (random.nextInt(5) == 0) {
          cache.remove(key);
        } else {
          cache.put(key, i);
        }
      }
      JotterCache<Integer, Integer> jotter = cache.unwrap(JotterCache.class);
      assertTrue(jotter.flush(Duration.ofSeconds(10)).completed());
      for (int key = 0; key < 20; key++) {
        assertEquals(cache.get(key), MapWriter.TABLE.get(key), "key " + key);
      }
      assertTrue(MapWriter.CALLS.get() < 5_000, "coalesced and batched: " + MapWriter.CALLS.get());
      assertEquals(0, jotter.writeBehindStatistics().orElseThrow().pendingOperations());
    } finally {
      manager.destroyCache("wb-smoke");
    }
  }
}
