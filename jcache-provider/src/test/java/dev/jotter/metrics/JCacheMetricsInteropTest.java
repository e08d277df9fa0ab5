package dev.jotter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import io.micrometer.core.instrument.binder.cache.JCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Micrometer's own JCacheMetrics reads Jotter's standard statistics MBean and sees real counts. */
class JCacheMetricsInteropTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("jotter:jcache-metrics"), getClass().getClassLoader());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    provider.close();
  }

  private double value(String name, String... tags) {
    return registry.get(name).tags(tags).meter().measure().iterator().next().getValue();
  }

  @Test
  void jcacheMetricsSeesRealHitsMissesPutsAndRemovals() {
    var config = new JotterConfiguration<String, String>();
    config.setTypes(String.class, String.class).setStatisticsEnabled(true);
    Cache<String, String> cache = manager.createCache("products", config);
    JCacheMetrics.monitor(registry, cache);

    cache.put("a", "1");
    cache.put("b", "2");
    cache.put("a", "3");
    cache.get("a");
    cache.get("b");
    cache.get("missing");
    cache.remove("b");
    cache.remove("never");

    assertEquals(2, value("cache.gets", "cache", "products", "result", "hit"));
    assertEquals(1, value("cache.gets", "cache", "products", "result", "miss"));
    assertEquals(3, value("cache.puts", "cache", "products"));
    assertEquals(1, value("cache.removals", "cache", "products"));
  }
}
