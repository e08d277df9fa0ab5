package dev.jotter.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import org.junit.jupiter.api.Test;

class ConfigurationFileTest {

  private static ConfigurationFile parse(String text) throws IOException {
    return ConfigurationFile.read("test.properties",
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        ConfigurationFileTest.class.getClassLoader());
  }

  @Test
  void declaredCachesKeepTheirSettingsAndTheDefaults() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/declared-caches.properties")) {
      ConfigurationFile file = ConfigurationFile.read("declared-caches.properties", in,
          getClass().getClassLoader());
      Map<String, JotterConfiguration<Object, Object>> caches = file.caches();
      assertEquals(List.of("orders", "sessions"), List.copyOf(caches.keySet()));

      JotterConfiguration<Object, Object> orders = caches.get("orders");
      assertEquals(Long.class, orders.getKeyType());
      assertEquals(String.class, orders.getValueType());
      assertEquals(1_000L, orders.getMaximumSize().getAsLong());
      assertTrue(orders.isStatisticsEnabled(), "default.statistics applies");
      assertTrue(orders.isStoreByValue());
      assertEquals(new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, 600_000),
          ((AccessedExpiryPolicy) orders.getExpiryPolicyFactory().create()).getExpiryForAccess());

      JotterConfiguration<Object, Object> sessions = caches.get("sessions");
      assertFalse(sessions.isStatisticsEnabled(), "a cache's own key wins over default.");
      assertFalse(sessions.isStoreByValue());
      assertEquals(new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, 30_000),
          ((CreatedExpiryPolicy) sessions.getExpiryPolicyFactory().create()).getExpiryForCreation());
    }
  }

  @Test
  void aLogOtherThanTheJournalGetsItsOwnSettingsPassedThrough() throws IOException {
    ConfigurationFile file = parse("caches = a, b\n"
        + "default.writer-factory = " + NoOpWriterFactory.class.getName() + "\n"
        + "default.write-behind.log = kafka\n"
        + "default.write-behind.kafka.bootstrap.servers = k1:9092\n"
        + "default.write-behind.kafka.producer.acks = all\n"
        + "cache.a.write-behind.kafka.topic = orders\n"
        + "cache.a.write-behind.kafka.bootstrap.servers = k2:9092\n"
        + "cache.b.write-behind.log = journal\n");
    WriteBehindConfiguration a = file.caches().get("a").getWriteBehind();
    assertEquals("kafka", a.log());
    assertEquals(Map.of("bootstrap.servers", "k2:9092", "producer.acks", "all", "topic", "orders"),
        a.logSettings(), "the cache's own keys win over default.");
    WriteBehindConfiguration b = file.caches().get("b").getWriteBehind();
    assertEquals(WriteBehindConfiguration.JOURNAL_LOG, b.log());
    assertEquals(Map.of(), b.logSettings());
  }

  @Test
  void settingsOfALogNoCacheUsesAreTypos() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = a\ncache.a.write-behind = true\n"
            + "cache.a.writer-factory = " + NoOpWriterFactory.class.getName() + "\n"
            + "cache.a.write-behind.kafka.topic = orders\n"));
    assertTrue(e.getMessage().contains("cache.a.write-behind.kafka.topic"), e.getMessage());
  }

  @Test
  void unlistedCacheKeysAreTypos() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = a\ncache.a.maximum-size = 5\ncache.b.maximum-size = 5\n"));
    assertTrue(e.getMessage().contains("cache.b.maximum-size"), e.getMessage());
  }

  @Test
  void unknownKeyOfAListedCacheIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = a\ncache.a.maximum-sise = 5\n"));
    assertTrue(e.getMessage().contains("cache.a.maximum-sise"), e.getMessage());
    assertTrue(e.getMessage().contains("maximum-size"), "lists the known keys: " + e.getMessage());
  }

  @Test
  void unknownDefaultKeyIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = a\ndefault.statistic = true\n"));
    assertTrue(e.getMessage().contains("default.statistic"), e.getMessage());
  }

  @Test
  void badValuesNameTheKeyAndTheAllowedForm() {
    assertMessage("caches = a\ncache.a.maximum-size = -1\n", "cache.a.maximum-size", "0 or more");
    assertMessage("caches = a\ncache.a.statistics = yes\n", "cache.a.statistics", "true or false");
    assertMessage("caches = a\ncache.a.expiry = sometimes 5s\n", "cache.a.expiry", "eternal");
    assertMessage("caches = a\ncache.a.expiry = accessed 5parsecs\n", "cache.a.expiry", "250ms");
    assertMessage("caches = a\ncache.a.key-type = com.example.Missing\n", "cache.a.key-type",
        "com.example.Missing");
    assertMessage("caches = a\ncache.a.loader-factory = java.lang.String\n",
        "cache.a.loader-factory", "javax.cache.configuration.Factory");
    assertMessage("caches = a, a\n", "listed twice", "'a'");
    assertMessage("caches = a\ncache.a.read-through = true\n", "cache 'a'", "cacheLoaderFactory");
  }

  @Test
  void aMistypedKeyGetsTheClosestKnownKey() {
    String writer = "cache.orders.writer-factory = " + NoOpWriterFactory.class.getName() + "\n";
    assertMessage("caches = orders\n" + writer + "cache.orders.write-behind.batchSize = 200\n",
        "'cache.orders.write-behind.batchSize' (did you mean 'cache.orders.write-behind.batch-size'?)");
    assertMessage("caches = orders\n" + writer + "cache.orders.write-behind.bacth-size = 200\n",
        "(did you mean 'cache.orders.write-behind.batch-size'?)");
    assertMessage("caches = orders\ncache.orders.maximum-sise = 5\n",
        "(did you mean 'cache.orders.maximum-size'?)");
    assertMessage("caches = orders\ndefault.statistic = true\n",
        "'default.statistic' (did you mean 'default.statistics'?)");
    assertMessage("caches = orders\ndefault.write-behind.max_write_delay = 5s\n",
        "(did you mean 'default.write-behind.max-write-delay'?)");
    assertMessage("cache = orders\n", "'cache' (did you mean 'caches'?)");
  }

  @Test
  void aKeyFarFromEveryKnownKeyGetsNoSuggestion() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = orders\ncache.orders.colour = red\n"));
    assertTrue(e.getMessage().contains("'cache.orders.colour';"), e.getMessage());
    assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
  }

  @Test
  void aKeyOfAnUnlistedCacheSaysTheCacheIsNotListed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = orders\ncache.order.maximum-size = 5\n"));
    assertTrue(e.getMessage().contains(
        "'cache.order.maximum-size' (cache 'order' is not listed in 'caches')"), e.getMessage());
  }

  @Test
  void everyMistypedKeyIsListedWithItsOwnSuggestion() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("caches = a\ncache.a.statistcs = true\ncache.a.expirey = eternal\n"));
    assertTrue(e.getMessage().contains("unknown keys 'cache.a.expirey' (did you mean 'cache.a.expiry'?), "
        + "'cache.a.statistcs' (did you mean 'cache.a.statistics'?)"), e.getMessage());
  }

  private static void assertMessage(String text, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(text));
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing in: " + e.getMessage());
    }
    assertTrue(e.getMessage().startsWith("test.properties"), "names the file: " + e.getMessage());
  }

  @Test
  void durationsAcceptUnitsAndIso8601() {
    assertEquals(Duration.ofMillis(250), ConfigurationFile.parseDuration("x", "250ms"));
    assertEquals(Duration.ofSeconds(5), ConfigurationFile.parseDuration("x", "5s"));
    assertEquals(Duration.ofMinutes(10), ConfigurationFile.parseDuration("x", "10m"));
    assertEquals(Duration.ofHours(1), ConfigurationFile.parseDuration("x", "1h"));
    assertEquals(Duration.ofDays(2), ConfigurationFile.parseDuration("x", "2d"));
    assertEquals(Duration.ofMinutes(10), ConfigurationFile.parseDuration("x", "PT10M"));
  }

  @Test
  void eternalIsTheDefaultExpiry() throws IOException {
    JotterConfiguration<Object, Object> config = parse("caches = a\n").caches().get("a");
    assertTrue(config.getExpiryPolicyFactory().create() instanceof EternalExpiryPolicy);
    assertEquals(Object.class, config.getKeyType());
  }

  @Test
  void writeBehindKeysBuildTheWriteBehindConfiguration() throws IOException {
    JotterConfiguration<Object, Object> config = parse("caches = a, b, c\n"
        + "default.write-behind.batch-size = 250\n"
        + "cache.a.writer-factory = " + NoOpWriterFactory.class.getName() + "\n"
        + "cache.a.write-behind.max-write-delay = 2s\n"
        + "cache.a.write-behind.overflow-policy = write-through\n"
        + "cache.a.write-behind.durability = sync\n"
        + "cache.a.write-behind.journal-directory = /tmp/journals\n"
        + "cache.b.writer-factory = " + NoOpWriterFactory.class.getName() + "\n"
        + "cache.b.write-behind = false\n"
        + "cache.c.writer-factory = " + NoOpWriterFactory.class.getName() + "\n").caches().get("a");
    WriteBehindConfiguration writeBehind = config.getWriteBehind();
    assertEquals(250, writeBehind.batchSize(), "default.write-behind.* applies");
    assertEquals(Duration.ofSeconds(2), writeBehind.maxWriteDelay());
    assertEquals(OverflowPolicy.WRITE_THROUGH, writeBehind.overflowPolicy());
    assertEquals(Durability.SYNC, writeBehind.durability());
    assertEquals(java.nio.file.Path.of("/tmp/journals"), writeBehind.journalDirectory().orElseThrow());
    assertTrue(config.isWriteThrough());
  }

  @Test
  void writeBehindCanBeSwitchedOffPerCache() throws IOException {
    ConfigurationFile file = parse("caches = a, b\n"
        + "default.write-behind.batch-size = 250\n"
        + "default.writer-factory = " + NoOpWriterFactory.class.getName() + "\n"
        + "cache.b.write-behind = false\n");
    assertEquals(250, file.caches().get("a").getWriteBehind().batchSize());
    assertEquals(null, file.caches().get("b").getWriteBehind());
  }

  @Test
  void badWriteBehindValuesNameTheKey() {
    String writer = "cache.a.writer-factory = " + NoOpWriterFactory.class.getName() + "\n";
    assertMessage("caches = a\n" + writer + "cache.a.write-behind.overflow-policy = drop\n",
        "write-behind.overflow-policy", "block", "write-through");
    assertMessage("caches = a\n" + writer + "cache.a.write-behind.batch-size = 0\n",
        "batchSize", "between 1");
    assertMessage("caches = a\n" + writer + "cache.a.write-behind.batch-sise = 5\n",
        "cache.a.write-behind.batch-sise");
    assertMessage("caches = a\n" + writer + "cache.a.write-behind.durability = sync\n",
        "journalDirectory");
    assertMessage("caches = a\ncache.a.write-behind = true\n", "writeThrough");
  }

  /** A writer factory for the tests above; never asked to create anything. */
  public static final class NoOpWriterFactory
      implements javax.cache.configuration.Factory<javax.cache.integration.CacheWriter<Object, Object>> {
    @Override
    public javax.cache.integration.CacheWriter<Object, Object> create() {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void declaredFactoriesCreateTheLoaderAndWriter() throws IOException {
    JotterConfiguration<Object, Object> config = parse("caches = a\n"
        + "cache.a.loader-factory = " + EchoLoaderFactory.class.getName() + "\n"
        + "cache.a.writer-factory = " + RealWriterFactory.class.getName() + "\n").caches().get("a");
    assertTrue(config.isReadThrough());
    assertTrue(config.isWriteThrough());
    assertEquals("echo:7", config.getCacheLoaderFactory().create().load(7));
    assertTrue(config.getCacheWriterFactory().create() instanceof javax.cache.integration.CacheWriter);
  }

  @Test
  void factoryWithoutNoArgumentConstructorIsNamed() {
    assertMessage("caches = a\ncache.a.loader-factory = " + NoDefaultConstructorFactory.class.getName()
        + "\n", "cache.a.loader-factory", "no-argument constructor");
  }

  /** Loads "echo:" + key. */
  public static final class EchoLoaderFactory
      implements javax.cache.configuration.Factory<javax.cache.integration.CacheLoader<Object, Object>> {
    @Override
    public javax.cache.integration.CacheLoader<Object, Object> create() {
      return new javax.cache.integration.CacheLoader<>() {
        @Override
        public Object load(Object key) {
          return "echo:" + key;
        }

        @Override
        public Map<Object, Object> loadAll(Iterable<?> keys) {
          throw new UnsupportedOperationException();
        }
      };
    }
  }

  /** Creates a writer that accepts everything. */
  public static final class RealWriterFactory
      implements javax.cache.configuration.Factory<javax.cache.integration.CacheWriter<Object, Object>> {
    @Override
    public javax.cache.integration.CacheWriter<Object, Object> create() {
      return new javax.cache.integration.CacheWriter<>() {
        @Override
        public void write(javax.cache.Cache.Entry<?, ?> entry) {}

        @Override
        public void writeAll(java.util.Collection<javax.cache.Cache.Entry<?, ?>> entries) {}

        @Override
        public void delete(Object key) {}

        @Override
        public void deleteAll(java.util.Collection<?> keys) {}
      };
    }
  }

  /** A factory the file cannot instantiate. */
  public static final class NoDefaultConstructorFactory
      implements javax.cache.configuration.Factory<javax.cache.integration.CacheLoader<Object, Object>> {
    public NoDefaultConstructorFactory(String unused) {}

    @Override
    public javax.cache.integration.CacheLoader<Object, Object> create() {
      throw new UnsupportedOperationException();
    }
  }
}
