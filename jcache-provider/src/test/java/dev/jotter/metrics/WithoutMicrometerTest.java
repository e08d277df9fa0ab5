package dev.jotter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.FakeTicker;
import dev.jotter.spi.JotterCachingProvider;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * Runs only in the {@code no-micrometer} surefire execution, whose class path has no
 * micrometer-core: a write-behind cache works end to end there, monitor and JMX bean included.
 */
class WithoutMicrometerTest {

  @Test
  void writeBehindCacheWorksWithoutMicrometerOnTheClassPath() throws Exception {
    assertThrows(ClassNotFoundException.class,
        () -> Class.forName("io.micrometer.core.instrument.MeterRegistry"),
        "this test must run on a class path without micrometer-core");
    TableWriter.reset();
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName bean = new ObjectName(
        "javax.cache:type=CacheWriteBehind,CacheManager=test.no-micrometer,Cache=orders");
    try (JotterCachingProvider provider = new JotterCachingProvider()) {
      CacheManager manager =
          provider.getCacheManager(URI.create("test:no-micrometer"), getClass().getClassLoader());
      Cache<String, String> cache = manager.createCache("orders",
          TableWriter.writeBehind(new FakeTicker(), TableWriter.onFlushOnly()));
      cache.put("a", "1");
      cache.put("b", "2");
      cache.remove("b");
      assertEquals(2L, server.getAttribute(bean, "PendingOperations"));
      assertTrue(cache.unwrap(JotterCache.class).flush(Duration.ofSeconds(10)).completed());
      assertEquals("1", TableWriter.TABLE.get("a"));
      assertFalse(TableWriter.TABLE.containsKey("b"));
      assertEquals(2L, WriteBehindMonitor.of(cache).orElseThrow().statistics().written());
      assertEquals(0L, server.getAttribute(bean, "PendingOperations"));
      manager.destroyCache("orders");
      assertFalse(server.isRegistered(bean));
      assertTrue(WriteBehindMonitor.live().stream().noneMatch(m -> m.cacheName().equals("orders")
          && m.managerUri().equals(URI.create("test:no-micrometer"))));
    }
  }
}
