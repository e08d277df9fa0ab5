package dev.jotter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.Weigher;
import dev.jotter.spi.JotterCachingProvider;
import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CaffeineCapacityTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("test:CaffeineCapacityTest"), getClass().getClassLoader());

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private static <K, V> int count(Cache<K, V> cache) {
    int n = 0;
    for (Cache.Entry<K, V> ignored : cache) {
      n++;
    }
    return n;
  }

  @Test
  void maximumSizeEvictsThroughCaffeine() {
    var config = new JotterConfiguration<Integer, String>().setMaximumSize(10);
    config.setTypes(Integer.class, String.class).setStatisticsEnabled(true);
    Cache<Integer, String> cache = manager.createCache("sized", config);

    for (int i = 0; i < 1_000; i++) {
      cache.put(i, "v" + i);
    }

    JotterCache<?, ?> jotter = cache.unwrap(JotterCache.class);
    assertTrue(jotter.estimatedSize() <= 10, () -> "estimated size " + jotter.estimatedSize());
    int retained = count(cache);
    assertTrue(retained > 0 && retained <= 10, "retained " + retained);
    assertEquals(1_000 - retained, jotter.statistics().getCacheEvictions(),
        "every entry Caffeine dropped counts as an eviction");
    assertEquals(1_000, jotter.statistics().getCachePuts());
  }

  @Test
  void maximumSizeZeroKeepsNothing() {
    var config = new JotterConfiguration<Integer, String>().setMaximumSize(0);
    Cache<Integer, String> cache = manager.createCache("empty", config);
    cache.put(1, "one");
    assertEquals(0, count(cache));
  }

  @Test
  void maximumWeightEvictsByTheWeigher() {
    var config = new JotterConfiguration<Integer, String>()
        .setMaximumWeight(100, new LengthWeigher());
    config.setTypes(Integer.class, String.class).setStatisticsEnabled(true);
    Cache<Integer, String> cache = manager.createCache("weighed", config);

    for (int i = 0; i < 500; i++) {
      cache.put(i, "0123456789"); // weight 10 each
    }

    int totalWeight = 0;
    int retained = 0;
    for (Cache.Entry<Integer, String> entry : cache) {
      totalWeight += entry.getValue().length();
      retained++;
    }
    assertTrue(totalWeight <= 100, "total weight " + totalWeight);
    assertTrue(retained > 0, "some entries fit");
    assertEquals(500 - retained, cache.unwrap(JotterCache.class).statistics().getCacheEvictions());
  }

  @Test
  void lightEntriesOutnumberHeavyOnesUnderTheSameWeight() {
    var config = new JotterConfiguration<Integer, String>()
        .setMaximumWeight(100, new LengthWeigher());
    Cache<Integer, String> cache = manager.createCache("light", config);
    for (int i = 0; i < 500; i++) {
      cache.put(i, "x"); // weight 1 each
    }
    int retained = count(cache);
    assertTrue(retained > 10 && retained <= 100, "retained " + retained);
  }

  @Test
  void entryHeavierThanTheMaximumIsNotKept() {
    var config = new JotterConfiguration<Integer, String>()
        .setMaximumWeight(5, new LengthWeigher());
    Cache<Integer, String> cache = manager.createCache("heavy", config);
    cache.put(1, "much too heavy");
    assertFalse(cache.containsKey(1));
  }

  @Test
  void unboundedCacheKeepsEverything() {
    Cache<Integer, String> cache =
        manager.createCache("unbounded", new JotterConfiguration<Integer, String>());
    for (int i = 0; i < 1_000; i++) {
      cache.put(i, "v");
    }
    assertEquals(1_000, count(cache));
    assertEquals(1_000, cache.unwrap(JotterCache.class).estimatedSize());
  }

  static final class LengthWeigher implements Factory<Weigher<Integer, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Weigher<Integer, String> create() {
      return (key, value) -> value.length();
    }
  }
}
