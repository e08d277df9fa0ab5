package dev.jotter.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.spi.JotterCachingProvider;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.expiry.AccessedExpiryPolicy;
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

  @Test
  void everySetterChainsInAnyOrder() {
    var listener = new MutableCacheEntryListenerConfiguration<String, String>(
        FactoryBuilder.factoryOf(NoOpListener.class), null, false, true);
    var removed = new MutableCacheEntryListenerConfiguration<String, String>(
        FactoryBuilder.factoryOf(NoOpListener.class), null, true, false);
    Factory<Ticker> tickerFactory = new FakeTicker().factory();
    WriteBehindConfiguration writeBehind = WriteBehindConfiguration.builder().batchSize(7).build();
    // JCache setters first, Jotter's after them, and the other way round: every step keeps the type
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .addCacheEntryListenerConfiguration(listener)
        .addCacheEntryListenerConfiguration(removed)
        .removeCacheEntryListenerConfiguration(removed)
        .setCacheLoaderFactory(new NullLoaderFactory())
        .setCacheWriterFactory(new NullWriterFactory())
        .setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(javax.cache.expiry.Duration.ONE_HOUR))
        .setReadThrough(true)
        .setWriteThrough(true)
        .setStoreByValue(false)
        .setStatisticsEnabled(true)
        .setManagementEnabled(true)
        .setMaximumSize(1_000)
        .setTickerFactory(tickerFactory)
        .setCopyFilter("java.base/*;!*")
        .setWriteBehind(writeBehind)
        .setDeadLetterHandlerFactory(null)
        .setJournalSerializerFactory(null)
        .setJournalAllowList("java.base/*")
        .setFlushSchedulerFactory(null)
        .setTypes(String.class, String.class);

    assertEquals(String.class, config.getKeyType());
    assertEquals(String.class, config.getValueType());
    assertEquals(1, java.util.stream.StreamSupport.stream(
        config.getCacheEntryListenerConfigurations().spliterator(), false).count());
    assertEquals(NullLoaderFactory.class, config.getCacheLoaderFactory().getClass());
    assertEquals(NullWriterFactory.class, config.getCacheWriterFactory().getClass());
    assertTrue(config.getExpiryPolicyFactory().create() instanceof AccessedExpiryPolicy);
    assertTrue(config.isReadThrough());
    assertTrue(config.isWriteThrough());
    assertFalse(config.isStoreByValue());
    assertTrue(config.isStatisticsEnabled());
    assertTrue(config.isManagementEnabled());
    assertEquals(OptionalLong.of(1_000), config.getMaximumSize());
    assertSame(tickerFactory, config.getTickerFactory());
    assertEquals("java.base/*;!*", config.getCopyFilter());
    assertEquals(writeBehind, config.getWriteBehind());
    assertEquals("java.base/*", config.getJournalAllowList());
    config.validate();
    assertEquals("chained", manager.createCache("chained", config).getName());
  }

  /** Guards the chaining for setters a later JCache version (or a refactoring) might add. */
  @Test
  void everyMutableConfigurationSetterIsOverriddenToReturnJotterConfiguration() {
    List<String> missing = new ArrayList<>();
    for (Method inherited : MutableConfiguration.class.getMethods()) {
      if (inherited.getReturnType() != MutableConfiguration.class) {
        continue;
      }
      try {
        Method own = JotterConfiguration.class.getDeclaredMethod(
            inherited.getName(), inherited.getParameterTypes());
        if (own.getReturnType() != JotterConfiguration.class) {
          missing.add(inherited.getName() + " returns " + own.getReturnType().getSimpleName());
        }
      } catch (NoSuchMethodException e) {
        missing.add(inherited.getName() + " is not overridden");
      }
    }
    assertEquals(List.of(), missing);
  }

  /** A listener for the chaining test; never registered with a cache that fires. */
  public static final class NoOpListener implements CacheEntryCreatedListener<String, String> {
    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {}
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
