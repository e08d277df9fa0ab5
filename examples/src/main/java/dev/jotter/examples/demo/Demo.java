package dev.jotter.examples.demo;

import dev.jotter.examples.jdbc.JdbcCacheLoader;
import dev.jotter.examples.jdbc.JdbcCacheLoaderFactory;
import dev.jotter.examples.jdbc.JdbcCacheWriter;
import dev.jotter.examples.jdbc.JdbcCacheWriterFactory;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderEntry;
import dev.jotter.examples.jdbc.OrderTable;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CompletionListenerFuture;
import javax.cache.spi.CachingProvider;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

/**
 * Runs an order-entry workload on a read-through, write-through cache of the {@code orders}
 * table in an in-memory H2 database, prints a summary, and checks that cache and table agree.
 *
 * <p>Run it with {@code mvn -q exec:java}. It exits with status 1 if cache and table disagree.
 * Only the standard {@code javax.cache} API is used: the JCache provider is whichever one is
 * on the class path.
 */
public final class Demo {

  /** The name of the demo's cache. */
  public static final String CACHE_NAME = "orders";

  private static final AtomicLong RUNS = new AtomicLong();

  private Demo() {}

  /**
   * Runs the demo with its default workload and exits non-zero if cache and table disagree.
   *
   * @param args ignored
   * @throws Exception if the demo cannot run at all
   */
  public static void main(String[] args) throws Exception {
    Report report = run(defaultWorkload(), System.out);
    if (!report.ok()) {
      System.exit(1);
    }
  }

  /**
   * Returns the workload that {@link #main} runs: four threads, 1,000 operations each, over
   * 200 order ids, with a fixed seed.
   *
   * @return the default workload
   */
  public static Workload defaultWorkload() {
    return new Workload(20_260_107L, 4, 1_000, 200);
  }

  /**
   * Runs one workload against a fresh database and cache, then checks and prints the outcome.
   *
   * <p>Half of the order ids (the odd ones) are in the table before the run, and are loaded
   * into the cache with {@code loadAll}; so at the start, as at the end, the cache holds exactly
   * the table, and the check can demand equality on every key.
   *
   * @param workload the workload
   * @param out      where the summary goes
   * @return the outcome
   * @throws Exception if the database or the cache cannot be set up
   */
  public static Report run(Workload workload, PrintStream out) throws Exception {
    long run = RUNS.incrementAndGet();
    JdbcSettings settings = new JdbcSettings(
        "jdbc:h2:mem:jotter-demo-" + run + ";DB_CLOSE_DELAY=-1", "sa", "");
    DataSource dataSource = settings.toDataSource();
    OrderTable.create(dataSource);
    Set<Long> seeded = seed(new JdbcCacheWriter(dataSource), workload.keys());

    String countersName = "demo-" + run;
    CountingCacheWriter.Counters writes = CountingCacheWriter.counters(countersName);
    MutableConfiguration<Long, Order> configuration = new MutableConfiguration<Long, Order>()
        .setTypes(Long.class, Order.class)
        .setReadThrough(true)
        .setWriteThrough(true)
        .setCacheLoaderFactory(new JdbcCacheLoaderFactory(settings))
        .setCacheWriterFactory(
            CountingCacheWriter.factory(countersName, new JdbcCacheWriterFactory(settings)))
        .setStatisticsEnabled(true);

    CachingProvider provider = Caching.getCachingProvider();
    CacheManager manager = provider.getCacheManager();
    manager.destroyCache(CACHE_NAME);
    Cache<Long, Order> cache = manager.createCache(CACHE_NAME, configuration);
    try {
      CompletionListenerFuture loaded = new CompletionListenerFuture();
      cache.loadAll(seeded, false, loaded);
      loaded.get(30, TimeUnit.SECONDS);

      Workload.Result result = workload.run(cache);
      CountingCacheWriter.Snapshot writer = writes.snapshot();
      String statistics = statistics();
      long cacheSize = 0;
      for (Cache.Entry<Long, Order> ignored : cache) {
        cacheSize++;
      }
      long rows = OrderTable.countRows(dataSource);
      JdbcCacheLoader table = new JdbcCacheLoader(dataSource);
      Agreement agreement = Agreement.check(cache, result.touchedKeys(), table::loadAll);
      Report report = new Report(result, agreement, cacheSize, rows, writer);

      out.printf("Jotter demo: write-through cache '%s' over H2, provider %s%n", CACHE_NAME,
          provider.getClass().getName());
      out.printf("  %-16s %,d%n", "threads", result.threads());
      out.printf("  %-16s %,d  %s%n", "operations", result.operations(), result.byOperation());
      out.printf("  %-16s %,d%n", "elapsed ms", TimeUnit.NANOSECONDS.toMillis(result.elapsedNanos()));
      out.printf("  %-16s %,d%n", "ops/s", result.operationsPerSecond());
      out.printf("  %-16s %,d%n", "cache size", cacheSize);
      out.printf("  %-16s %,d%n", "rows in table", rows);
      out.printf("  %-16s %,d calls / %,d entries written, %,d calls / %,d keys deleted%n",
          "writer", writer.writeCalls(), writer.entriesWritten(), writer.deleteCalls(),
          writer.keysDeleted());
      out.printf("  %-16s %s%n", "statistics", statistics);
      if (cacheSize != rows) {
        out.printf("MISMATCH: the cache holds %,d entries, the table %,d rows%n", cacheSize, rows);
      }
      out.println(agreement.describe());
      return report;
    } finally {
      manager.destroyCache(CACHE_NAME);
      CountingCacheWriter.counters(countersName).reset();
      shutdown(dataSource);
    }
  }

  /** Puts the odd order ids in the table, behind the cache's back, as existing data would be. */
  private static Set<Long> seed(JdbcCacheWriter writer, int keys) {
    Set<Long> seeded = new LinkedHashSet<>();
    Collection<Cache.Entry<? extends Long, ? extends Order>> rows = new ArrayList<>();
    for (long key = 1; key <= keys; key += 2) {
      seeded.add(key);
      rows.add(new OrderEntry(key, new Order("customer-" + (key % 17), key * 100, 1)));
    }
    writer.writeAll(rows);
    return seeded;
  }

  /** Reads the standard JCache statistics MBean, which every provider registers when enabled. */
  private static String statistics() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      // A pattern, because the CacheManager part of the name is an escaped, provider-chosen URI.
      Set<ObjectName> names = server.queryNames(
          new ObjectName("javax.cache:type=CacheStatistics,Cache=" + CACHE_NAME + ",*"), null);
      if (names.isEmpty()) {
        return "n/a (no CacheStatistics MBean)";
      }
      ObjectName name = names.iterator().next();
      return String.format("gets %,d (hits %,d, misses %,d, %.1f%% hits), puts %,d, removals %,d",
          (Long) server.getAttribute(name, "CacheGets"),
          (Long) server.getAttribute(name, "CacheHits"),
          (Long) server.getAttribute(name, "CacheMisses"),
          (Float) server.getAttribute(name, "CacheHitPercentage"),
          (Long) server.getAttribute(name, "CachePuts"),
          (Long) server.getAttribute(name, "CacheRemovals"));
    } catch (JMException | ClassCastException e) {
      return "n/a (" + e + ")";
    }
  }

  private static void shutdown(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      // DB_CLOSE_DELAY=-1 keeps an in-memory database for the life of the JVM; free it now.
      statement.execute("SHUTDOWN");
    }
  }

  /**
   * The outcome of one demo run.
   *
   * @param workload  what the workload did
   * @param agreement the key-by-key comparison of cache and table
   * @param cacheSize the entries in the cache after the run
   * @param tableRows the rows in the table after the run
   * @param writer    what reached the cache writer during the run
   */
  public record Report(Workload.Result workload, Agreement agreement, long cacheSize,
      long tableRows, CountingCacheWriter.Snapshot writer) {

    /**
     * Whether cache and table agree, in size and on every key.
     *
     * @return {@code true} if the run is consistent
     */
    public boolean ok() {
      return agreement.agrees() && cacheSize == tableRows;
    }
  }
}
