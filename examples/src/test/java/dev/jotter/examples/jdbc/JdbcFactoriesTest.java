package dev.jotter.examples.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The factories, and the writer and loader as a JCache provider drives them. */
class JdbcFactoriesTest {

  private static final String CACHE = "factories-test";

  private JdbcSettings settings;
  private DataSource dataSource;
  private CacheManager manager;

  @BeforeEach
  void createTable() throws SQLException {
    settings = new JdbcSettings("jdbc:h2:mem:factories-" + System.nanoTime()
        + ";DB_CLOSE_DELAY=-1", "sa", "", SqlDialect.H2);
    dataSource = settings.toDataSource();
    OrderTable.create(dataSource);
    manager = Caching.getCachingProvider().getCacheManager();
  }

  @AfterEach
  void destroyCache() {
    manager.destroyCache(CACHE);
  }

  @Test
  void factoriesSurviveSerializationAndStillConnect() throws Exception {
    JdbcCacheWriter writer = roundTrip(new JdbcCacheWriterFactory(settings)).create();
    JdbcCacheLoader loader = roundTrip(new JdbcCacheLoaderFactory(settings)).create();

    writer.write(new OrderEntry(1L, new Order("ada", 100, 1)));

    assertEquals(new Order("ada", 100, 1), loader.load(1L));
  }

  @Test
  void cacheConfiguredWithTheFactoriesWritesThroughAndReadsThrough() throws SQLException {
    Cache<Long, Order> cache = manager.createCache(CACHE, configuration());
    JdbcCacheLoader table = new JdbcCacheLoader(dataSource);

    cache.put(1L, new Order("ada", 100, 1));
    cache.putAll(Map.of(2L, new Order("bob", 200, 1), 3L, new Order("cy", 300, 1)));
    cache.remove(2L);
    new JdbcCacheWriter(dataSource).write(new OrderEntry(9L, new Order("zed", 900, 1)));

    assertEquals(new Order("ada", 100, 1), table.load(1L));
    assertNull(table.load(2L));
    assertEquals(3, OrderTable.countRows(dataSource), "rows 1, 3 and 9");
    assertEquals(new Order("zed", 900, 1), cache.get(9L), "a miss reads through");
  }

  @Test
  void putAllWithAPoisonEntryStoresTheRestAndKeepsThePoisonOutOfTheCache() {
    Cache<Long, Order> cache = manager.createCache(CACHE, configuration());
    JdbcCacheLoader table = new JdbcCacheLoader(dataSource);

    assertThrows(CacheWriterException.class, () -> cache.putAll(Map.of(
        1L, new Order("ada", 100, 1), 2L, new Order("bob", -1, 1), 3L, new Order("cy", 300, 1))));

    // JCache: entries the writer did not store must not be in the cache either.
    assertEquals(Set.of(1L, 3L), table.loadAll(List.of(1L, 2L, 3L)).keySet());
    assertFalse(cache.containsKey(2L));
    assertTrue(cache.containsKey(1L));
    assertTrue(cache.containsKey(3L));
  }

  private MutableConfiguration<Long, Order> configuration() {
    return new MutableConfiguration<Long, Order>()
        .setTypes(Long.class, Order.class)
        .setReadThrough(true)
        .setWriteThrough(true)
        .setCacheLoaderFactory(new JdbcCacheLoaderFactory(settings))
        .setCacheWriterFactory(new JdbcCacheWriterFactory(settings));
  }

  @SuppressWarnings("unchecked")
  private static <T> Factory<T> roundTrip(Factory<T> factory)
      throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(factory);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      Object copy = in.readObject();
      assertInstanceOf(factory.getClass(), copy);
      return (Factory<T>) copy;
    }
  }
}
