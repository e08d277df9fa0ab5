package dev.jotter.examples.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.cache.Cache;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@link JdbcCacheWriter} and {@link JdbcCacheLoader} promise, on any supported database.
 * A subclass per database supplies the database and the means to stop and restart it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcStoreContract {

  /** The data source of the running database; the same settings must survive a restart. */
  abstract DataSource dataSource();

  /** Makes the database unreachable, as a crash or a network cut would. */
  abstract void stopDatabase() throws Exception;

  /** Brings the same database back, with its data, where {@link #dataSource()} points. */
  abstract void startDatabase() throws Exception;

  abstract SqlDialect expectedDialect();

  JdbcCacheWriter writer;
  JdbcCacheLoader loader;

  @BeforeEach
  void emptyTables() throws SQLException {
    OrderTable.create(dataSource());
    // A child table whose foreign key makes the delete of one chosen order fail.
    execute("CREATE TABLE IF NOT EXISTS order_notes ("
        + " order_id BIGINT NOT NULL REFERENCES orders (id), note VARCHAR(100))");
    execute("DELETE FROM order_notes");
    execute("DELETE FROM orders");
    writer = new JdbcCacheWriter(dataSource());
    loader = new JdbcCacheLoader(dataSource());
  }

  @Test
  void dialectIsDetectedFromTheDatabase() throws SQLException {
    try (Connection connection = dataSource().getConnection()) {
      assertEquals(expectedDialect(), SqlDialect.of(connection));
    }
  }

  @Test
  void writeIsAnIdempotentUpsert() throws SQLException {
    writer.write(entry(1, "ada", 100, 1));
    writer.write(entry(1, "ada", 250, 2));
    writer.write(entry(1, "ada", 250, 2));

    assertEquals(new Order("ada", 250, 2), loader.load(1L));
    assertEquals(1, OrderTable.countRows(dataSource()));
  }

  @Test
  void writeAllUpsertsNewAndExistingRowsAndEmptiesTheCollection() {
    writer.write(entry(1, "ada", 100, 1));
    Collection<Cache.Entry<? extends Long, ? extends Order>> entries = new ArrayList<>(List.of(
        entry(1, "ada", 150, 2), entry(2, "bob", 200, 1), entry(3, "cy", 300, 1)));

    writer.writeAll(entries);

    assertTrue(entries.isEmpty(), "written entries must leave the collection: " + entries);
    assertEquals(Map.of(1L, new Order("ada", 150, 2), 2L, new Order("bob", 200, 1),
        3L, new Order("cy", 300, 1)), loader.loadAll(List.of(1L, 2L, 3L)));
  }

  @Test
  void writeAllLeavesOnlyTheFailedEntries() {
    writer.write(entry(3, "cy", 300, 1));
    Cache.Entry<Long, Order> poison = entry(3, "cy", -1, 2);
    Collection<Cache.Entry<? extends Long, ? extends Order>> entries = new ArrayList<>(List.of(
        entry(1, "ada", 100, 1), entry(2, "bob", 200, 1), poison, entry(4, "di", 400, 1),
        entry(5, "ed", 500, 1)));

    CacheWriterException failure =
        assertThrows(CacheWriterException.class, () -> writer.writeAll(entries));

    assertInstanceOf(SQLException.class, failure.getCause());
    assertEquals(1, entries.size(), "only the poison entry may remain: " + entries);
    assertSame(poison, entries.iterator().next());
    Map<Long, Order> rows = loader.loadAll(List.of(1L, 2L, 3L, 4L, 5L));
    assertEquals(5, rows.size(), "the other four were written, row 3 kept: " + rows);
    assertEquals(new Order("cy", 300, 1), rows.get(3L), "the failed upsert changed nothing");
    assertEquals(new Order("ed", 500, 1), rows.get(5L), "rows after the poison were written");
  }

  @Test
  void singleWriteOfAPoisonEntryFailsAndChangesNothing() {
    CacheWriterException failure =
        assertThrows(CacheWriterException.class, () -> writer.write(entry(7, "gus", -5, 1)));

    assertInstanceOf(SQLException.class, failure.getCause());
    assertNull(loader.load(7L));
  }

  @Test
  void deleteAllRemovesRowsIgnoresMissingOnesAndEmptiesTheCollection() throws SQLException {
    writer.writeAll(new ArrayList<>(List.of(
        entry(1, "ada", 100, 1), entry(2, "bob", 200, 1), entry(3, "cy", 300, 1))));
    Collection<Long> keys = new ArrayList<>(List.of(1L, 3L, 99L));

    writer.deleteAll(keys);

    assertTrue(keys.isEmpty(), "deleted keys, and missing ones, must leave: " + keys);
    assertEquals(Set.of(2L), loader.loadAll(List.of(1L, 2L, 3L, 99L)).keySet());
    writer.delete(2L);
    writer.delete(2L);
    assertEquals(0, OrderTable.countRows(dataSource()));
  }

  @Test
  void deleteAllLeavesOnlyTheKeysNotDeleted() throws SQLException {
    writer.writeAll(new ArrayList<>(List.of(
        entry(1, "ada", 100, 1), entry(2, "bob", 200, 1), entry(3, "cy", 300, 1))));
    execute("INSERT INTO order_notes (order_id, note) VALUES (2, 'gift wrap')");
    Collection<Long> keys = new ArrayList<>(List.of(1L, 2L, 3L));

    CacheWriterException failure =
        assertThrows(CacheWriterException.class, () -> writer.deleteAll(keys));

    assertInstanceOf(SQLException.class, failure.getCause());
    assertEquals(List.of(2L), keys);
    assertEquals(Set.of(2L), loader.loadAll(List.of(1L, 2L, 3L)).keySet());
  }

  @Test
  void databaseDownLeavesEveryEntryAndKeyInTheCollection() throws Exception {
    writer.write(entry(1, "ada", 100, 1));
    Collection<Cache.Entry<? extends Long, ? extends Order>> entries = new ArrayList<>(List.of(
        entry(2, "bob", 200, 1), entry(3, "cy", 300, 1), entry(4, "di", 400, 1)));
    List<Cache.Entry<? extends Long, ? extends Order>> offered = List.copyOf(entries);
    Collection<Long> keys = new ArrayList<>(List.of(1L, 2L));

    stopDatabase();
    try {
      CacheWriterException writeFailure =
          assertThrows(CacheWriterException.class, () -> writer.writeAll(entries));
      CacheWriterException deleteFailure =
          assertThrows(CacheWriterException.class, () -> writer.deleteAll(keys));

      assertInstanceOf(SQLException.class, writeFailure.getCause());
      assertInstanceOf(SQLException.class, deleteFailure.getCause());
      assertEquals(offered, List.copyOf(entries));
      assertEquals(List.of(1L, 2L), keys);
    } finally {
      startDatabase();
    }

    // What was left is exactly what a retry needs, and the retry completes the work.
    writer.writeAll(entries);
    assertTrue(entries.isEmpty());
    assertEquals(Set.of(1L, 2L, 3L, 4L), loader.loadAll(List.of(1L, 2L, 3L, 4L)).keySet());
  }

  @Test
  void loadAllReturnsOnlyTheRowsThatExist() {
    writer.writeAll(new ArrayList<>(List.of(entry(1, "ada", 100, 1), entry(2, "bob", 200, 1))));

    assertEquals(Map.of(1L, new Order("ada", 100, 1), 2L, new Order("bob", 200, 1)),
        loader.loadAll(List.of(1L, 2L, 2L, 42L)));
    assertEquals(Map.of(), loader.loadAll(List.of()));
    assertNull(loader.load(42L));
  }

  @Test
  void concurrentWriteAllsOnDisjointKeysAllLand() throws Exception {
    int threads = 4;
    int batches = 10;
    int perBatch = 5;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long base = t * 1_000L;
        tasks.add(() -> {
          for (int b = 0; b < batches; b++) {
            Collection<Cache.Entry<? extends Long, ? extends Order>> batch = new ArrayList<>();
            for (int i = 0; i < perBatch; i++) {
              batch.add(entry(base + b * perBatch + i, "t" + base, i, 1));
            }
            writer.writeAll(batch);
          }
          return null;
        });
      }
      for (Future<Void> done : pool.invokeAll(tasks)) {
        done.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * batches * perBatch, OrderTable.countRows(dataSource()));
  }

  static Cache.Entry<Long, Order> entry(long id, String customer, long amountCents,
      long version) {
    return new OrderEntry(id, new Order(customer, amountCents, version));
  }

  void execute(String sql) throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
