package dev.jotter.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.spi.JotterCachingProvider;
import java.net.URI;
import java.util.OptionalLong;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JotterConfigurationTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private CacheManager manager;

  @BeforeEach
  void openManager() {
    manager = provider.getCacheManager(URI.create("test:JotterConfigurationTest"),
        getClass().getClassLoader());
  }

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  @Test
  void negativeMaximumSizeFailsNamingTheSetting() {
    var config = new JotterConfiguration<String, String>();
    var e = assertThrows(IllegalArgumentException.class, () -> config.setMaximumSize(-1));
    assertTrue(e.getMessage().contains("maximumSize"), e.getMessage());
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    assertEquals(OptionalLong.empty(), config.getMaximumSize(), "a rejected value must not stick");
  }

  @Test
  void negativeMaximumWeightFailsNamingTheSetting() {
    var config = new JotterConfiguration<String, String>();
    var e = assertThrows(IllegalArgumentException.class,
        () -> config.setMaximumWeight(-5, new LengthWeigherFactory()));
    assertTrue(e.getMessage().contains("maximumWeight"), e.getMessage());
    assertTrue(e.getMessage().contains("-5"), e.getMessage());
    assertEquals(OptionalLong.empty(), config.getMaximumWeight());
    assertNull(config.getWeigherFactory());
  }

  @Test
  void maximumWeightWithoutWeigherFails() {
    var config = new JotterConfiguration<String, String>();
    var e = assertThrows(NullPointerException.class, () -> config.setMaximumWeight(10, null));
    assertTrue(e.getMessage().contains("weigherFactory"), e.getMessage());
  }

  @Test
  void zeroCapacityIsAllowed() {
    var config = new JotterConfiguration<String, String>().setMaximumSize(0);
    assertEquals(OptionalLong.of(0), config.getMaximumSize());
  }

  @Test
  void sizeAndWeightTogetherFailAtCreateCacheNamingBothSettings() {
    var config = new JotterConfiguration<String, String>()
        .setMaximumSize(10)
        .setMaximumWeight(100, new LengthWeigherFactory());
    var e = assertThrows(IllegalArgumentException.class, () -> manager.createCache("both", config));
    assertTrue(e.getMessage().contains("maximumSize"), e.getMessage());
    assertTrue(e.getMessage().contains("maximumWeight"), e.getMessage());
    assertTrue(e.getMessage().contains("exclusive"), e.getMessage());
    assertNull(manager.getCache("both"), "a rejected configuration must not leave a cache behind");
  }

  @Test
  void readThroughWithoutLoaderFailsAtCreateCache() {
    var config = new JotterConfiguration<String, String>();
    config.setReadThrough(true);
    var e = assertThrows(IllegalArgumentException.class, () -> manager.createCache("rt", config));
    assertTrue(e.getMessage().contains("readThrough"), e.getMessage());
    assertTrue(e.getMessage().contains("cacheLoaderFactory"), e.getMessage());
    assertNull(manager.getCache("rt"));
  }

  @Test
  void readThroughWithoutLoaderFailsForAPlainMutableConfigurationToo() {
    var config = new MutableConfiguration<String, String>().setReadThrough(true);
    var e = assertThrows(IllegalArgumentException.class, () -> manager.createCache("rt", config));
    assertTrue(e.getMessage().contains("readThrough"), e.getMessage());
  }

  @Test
  void writeThroughWithoutWriterFailsAtCreateCache() {
    var config = new JotterConfiguration<String, String>();
    config.setWriteThrough(true);
    var e = assertThrows(IllegalArgumentException.class, () -> manager.createCache("wt", config));
    assertTrue(e.getMessage().contains("writeThrough"), e.getMessage());
    assertTrue(e.getMessage().contains("cacheWriterFactory"), e.getMessage());
    assertNull(manager.getCache("wt"));
  }

  @Test
  void readAndWriteThroughWithTheirFactoriesAreAccepted() {
    var config = new JotterConfiguration<String, String>();
    config.setCacheLoaderFactory(new NullLoaderFactory()).setReadThrough(true);
    config.setCacheWriterFactory(new NullWriterFactory()).setWriteThrough(true);
    config.validate();
    assertEquals("rw", manager.createCache("rw", config).getName());
  }

  @Test
  void malformedCopyFilterFailsNamingTheSettingAndThePattern() {
    var config = new JotterConfiguration<String, String>();
    var e = assertThrows(IllegalArgumentException.class,
        () -> config.setCopyFilter("maxdepth=deep"));
    assertTrue(e.getMessage().contains("copyFilter"), e.getMessage());
    assertTrue(e.getMessage().contains("maxdepth=deep"), e.getMessage());
    assertNull(config.getCopyFilter());
  }

  @Test
  void duplicateCacheNameFailsWithClearMessage() {
    manager.createCache("orders", new JotterConfiguration<String, String>());
    var e = assertThrows(javax.cache.CacheException.class,
        () -> manager.createCache("orders", new JotterConfiguration<String, String>()));
    assertTrue(e.getMessage().contains("'orders'"), e.getMessage());
    assertTrue(e.getMessage().contains("exists already"), e.getMessage());
  }

  @Test
  void copyConstructorKeepsJotterSettings() {
    var ticker = new FakeTicker();
    var original = new JotterConfiguration<String, String>()
        .setMaximumWeight(42, new LengthWeigherFactory())
        .setTickerFactory(ticker.factory())
        .setCopyFilter("java.base/*;!*");
    var copy = new JotterConfiguration<>(original);
    assertEquals(OptionalLong.of(42), copy.getMaximumWeight());
    assertEquals(original.getWeigherFactory(), copy.getWeigherFactory());
    assertEquals(original.getTickerFactory(), copy.getTickerFactory());
    assertEquals("java.base/*;!*", copy.getCopyFilter());
    assertEquals(original, copy);
    assertEquals(original.hashCode(), copy.hashCode());
  }

  @Test
  void createdCacheReportsItsJotterConfiguration() {
    var config = new JotterConfiguration<String, String>().setMaximumSize(7);
    var cache = manager.createCache("sized", config);
    var seen = cache.getConfiguration(JotterConfiguration.class);
    assertEquals(OptionalLong.of(7), seen.getMaximumSize());
  }

  static final class LengthWeigherFactory implements Factory<Weigher<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Weigher<String, String> create() {
      return (key, value) -> value.length();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LengthWeigherFactory;
    }

    @Override
    public int hashCode() {
      return 1;
    }
  }

  static final class NullLoaderFactory implements Factory<CacheLoader<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheLoader<String, String> create() {
      return new CacheLoader<>() {
        @Override
        public String load(String key) {
          return null;
        }

        @Override
        public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
          return java.util.Map.of();
        }
      };
    }
  }

  static final class NullWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheWriter<String, String> create() {
      return new CacheWriter<>() {
        @Override
        public void write(javax.cache.Cache.Entry<? extends String, ? extends String> entry) {}

        @Override
        public void writeAll(
            java.util.Collection<javax.cache.Cache.Entry<? extends String, ? extends String>> e) {}

        @Override
        public void delete(Object key) {}

        @Override
        public void deleteAll(java.util.Collection<?> keys) {}
      };
    }
  }

}
