package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.metrics.WriteBehindMonitor;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write-behind cache whose {@code log} names a {@link WriteBehindLogFactory} on the class path
 * gets its log from that factory (how {@code jotter-kafka} plugs in), with everything the log
 * needs in the context; a log nobody provides fails {@code createCache} by name.
 */
class WriteBehindLogFactoryTest {
  private final CacheManager manager = Caching.getCachingProvider()
      .getCacheManager(URI.create("jotter:log-factory-test"), getClass().getClassLoader());

  /** A writer into a static map, created by class name as JCache factories are. */
  public static final class MapWriter extends TableWriterStub {}

  @AfterEach
  void close() {
    manager.close();
    TableWriterStub.TABLE.clear();
  }

  private JotterConfiguration<String, String> config(String log) {
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder().log(log)
            .logSettings(Map.of("topic", "orders")).maxWriteDelay(Duration.ofMillis(1)).build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(MapWriter.class));
    return config;
  }

  @Test
  void aCacheWhoseLogIsAFactorysGetsItsLogFromIt() {
    RecordingLogFactory.OPENED.clear();
    Cache<String, String> cache = manager.createCache("orders", config("recording"));
    WriteBehindLogContext<?, ?> context = RecordingLogFactory.OPENED.get(0);
    assertEquals("orders", context.cacheName());
    assertEquals(URI.create("jotter:log-factory-test"), context.managerUri());
    assertEquals(Map.of("topic", "orders"), context.settings().logSettings());
    assertTrue(context.serializer() != null && context.writer() instanceof MapWriter);

    cache.put("k", "v");
    assertTrue(JotterCache.of(cache).flush(Duration.ofSeconds(10)).allWritten());
    assertEquals("v", TableWriterStub.TABLE.get("k"));
    assertTrue(JotterCache.of(cache).writeBehind().isPresent());
    assertTrue(WriteBehindMonitor.of(cache).isPresent(), "meters and JMX see it too");
  }

  @Test
  void aLogNobodyProvidesFailsCreateCacheByName() {
    CacheException e = assertThrows(CacheException.class,
        () -> manager.createCache("orders", config("kafka")));
    assertTrue(e.getMessage().contains("write-behind log 'kafka' is not on the class path")
        && e.getMessage().contains("recording") && e.getMessage().contains("jotter-kafka"),
        e.getMessage());
  }
}
