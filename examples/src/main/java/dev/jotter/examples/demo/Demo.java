package dev.jotter.examples.demo;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.jdbc.JdbcCacheLoader;
import dev.jotter.examples.jdbc.JdbcCacheLoaderFactory;
import dev.jotter.examples.jdbc.JdbcCacheWriter;
import dev.jotter.examples.jdbc.JdbcCacheWriterFactory;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderEntry;
import dev.jotter.examples.jdbc.OrderTable;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.integration.CompletionListenerFuture;
import javax.cache.spi.CachingProvider;
import javax.sql.DataSource;

/**
 * The demo, in three parts. First an order-entry workload on a read-through cache of the
 * {@code orders} table in an in-memory H2 database, with write-behind, then the same workload
 * with write-through, side by side. Then {@link CrashDemo}: a child JVM killed with SIGKILL
 * mid-stream and restarted on its journal, every acknowledged order checked in the table. Then
 * {@link PoisonDemo}: a record the table rejects, dead-lettered without holding up the others,
 * listed and resubmitted.
 *
 * <p>During each workload run a live line is printed once per second (puts/s, pending
 * operations, lag, rows written/s, coalesced; see {@link LiveLine}). After each run the
 * write-behind cache is flushed and cache and table are compared key by key
 * ({@link Agreement}). The JDBC writer is the real one, on the real H2, wrapped by a
 * {@link CountingCacheWriter} so that the table at the end can say how many writer calls each
 * mode made.
 *
 * <p>Run it through the README's {@code -Pdemo} command (or {@code mvn -q exec:exec} in this
 * module, after a build). It exits with status 1 if any part finds its promise broken. The
 * workload and the check use the standard {@code javax.cache} API; write-behind is configured
 * with Jotter's {@link JotterConfiguration}, and flushed and observed through
 * {@code cache.unwrap(JotterCache.class)}.
 */
public final class Demo {

  /** The name of the demo's cache. */
  public static final String CACHE_NAME = "orders";

  private static final Duration LIVE_LINE_PERIOD = Duration.ofSeconds(1);
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicLong RUNS = new AtomicLong();
  private static final int CRASH_ACKS_BEFORE_KILL = 1_000;

  private Demo() {}

  /** How the cache reaches the database. */
  public enum Mode {
    /** The writer is called later, in batches, by the cache's write-behind buffer. */
    WRITE_BEHIND("write-behind"),
    /** The writer is called inside every mutation, before it returns. */
    WRITE_THROUGH("write-through");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    /**
     * Returns the name the demo prints.
     *
     * @return {@code write-behind} or {@code write-through}
     */
    public String label() {
      return label;
    }
  }

  /**
   * Runs the three parts of the demo: the default workload in both modes, the crash and replay
   * ({@link CrashDemo}), and the poison record ({@link PoisonDemo}); exits non-zero if any part
   * finds what it promises broken.
   *
   * @param args ignored
   * @throws Exception if the demo cannot run at all
   */
  public static void main(String[] args) throws Exception {
    DemoLog.install(System.out);
    boolean ok = runAll(System.out);
    if (!ok) {
      System.exit(1);
    }
  }

  /**
   * Runs the three parts of the demo, as {@link #main} does, without exiting.
   *
   * @param out where the output goes
   * @return whether every part held its promise
   * @throws Exception if a part cannot be set up
   */
  public static boolean runAll(PrintStream out) throws Exception {
    Comparison comparison = run(defaultWorkload(), out);
    CrashDemo.Result crash = CrashDemo.run(CRASH_ACKS_BEFORE_KILL, out);
    PoisonDemo.Result poison = PoisonDemo.run(out);
    boolean ok = comparison.ok() && crash.ok() && poison.ok();
    out.printf("%n%s%n", ok ? "OK: all three parts held: agreement, nothing lost in the crash,"
        + " the poison record isolated and written"
        : "FAILED: see the part above that did not print OK");
    return ok;
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
   * Returns the write-behind settings of the demo: batches of up to 100 operations, leaving at
   * the latest 50 ms after their oldest operation was queued; the rest are the defaults
   * (coalescing on, a bound of 100,000 pending operations, retries with back-off).
   *
   * @return the demo's write-behind configuration
   */
  public static WriteBehindConfiguration writeBehindConfiguration() {
    return WriteBehindConfiguration.builder()
        .batchSize(100)
        .maxWriteDelay(Duration.ofMillis(50))
        .build();
  }

  /**
   * Runs the workload with write-behind, then with write-through, each against a fresh database
   * and cache, and prints a live line per second, a summary per run and a comparison table.
   *
   * @param workload the workload, the same for both runs
   * @param out      where the output goes
   * @return both outcomes
   * @throws Exception if a database or a cache cannot be set up
   */
  public static Comparison run(Workload workload, PrintStream out) throws Exception {
    out.printf("Jotter demo: %,d threads x %,d operations over %,d order ids, on H2, twice%n",
        workload.threads(), workload.operationsPerThread(), workload.keys());
    List<Report> reports = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      reports.add(run(workload, mode, out));
    }
    Comparison comparison = new Comparison(reports);
    comparison.print(out);
    return comparison;
  }

  /**
   * Runs one workload in one mode against a fresh database and cache, then flushes (write-behind),
   * checks and prints the outcome.
   *
   * <p>Half of the order ids (the odd ones) are in the table before the run, and are loaded
   * into the cache with {@code loadAll}; so at the start, as at the end, the cache holds exactly
   * the table, and the check can demand equality on every key.
   *
   * @param workload the workload
   * @param mode     write-behind or write-through
   * @param out      where the live lines and the summary go
   * @return the outcome
   * @throws Exception if the database or the cache cannot be set up
   */
  public static Report run(Workload workload, Mode mode, PrintStream out) throws Exception {
    long run = RUNS.incrementAndGet();
    JdbcSettings settings = new JdbcSettings(
        "jdbc:h2:mem:jotter-demo-" + run + ";DB_CLOSE_DELAY=-1", "sa", "");
    DataSource dataSource = settings.toDataSource();
    OrderTable.create(dataSource);
    Set<Long> seeded = seed(new JdbcCacheWriter(dataSource), workload.keys());

    String countersName = "demo-" + run;
    CountingCacheWriter.Counters writes = CountingCacheWriter.counters(countersName);
    JotterConfiguration<Long, Order> configuration = new JotterConfiguration<Long, Order>()
        .setWriteBehind(mode == Mode.WRITE_BEHIND ? writeBehindConfiguration() : null);
    configuration.setTypes(Long.class, Order.class)
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
    @SuppressWarnings("unchecked")
    JotterCache<Long, Order> jotter = cache.unwrap(JotterCache.class);
    try {
      CompletionListenerFuture loaded = new CompletionListenerFuture();
      cache.loadAll(seeded, false, loaded);
      loaded.get(30, TimeUnit.SECONDS);

      out.printf("%n%s: cache '%s' over H2, provider %s%s%n", mode.label(), CACHE_NAME,
          provider.getClass().getName(),
          mode == Mode.WRITE_BEHIND ? ", " + describe(configuration.getWriteBehind()) : "");
      Workload.Result result;
      long flushNanos;
      boolean flushed;
      try (LiveLine line = LiveLine.start(out, mode.label(), jotter, writes, LIVE_LINE_PERIOD)) {
        result = workload.run(cache);
        line.printNow("workload done");
        long flushStart = System.nanoTime();
        flushed = jotter.flush(FLUSH_TIMEOUT).completed(); // at once for write-through
        flushNanos = System.nanoTime() - flushStart;
        if (mode == Mode.WRITE_BEHIND) {
          line.printNow("flushed");
        }
      }

      CountingCacheWriter.Snapshot writer = writes.snapshot();
      Optional<WriteBehindStatistics> buffer = jotter.writeBehindStatistics();
      long cacheSize = 0;
      for (Cache.Entry<Long, Order> ignored : cache) {
        cacheSize++;
      }
      long rows = OrderTable.countRows(dataSource);
      JdbcCacheLoader table = new JdbcCacheLoader(dataSource);
      Agreement agreement = Agreement.check(cache, result.touchedKeys(), table::loadAll);
      Report report = new Report(mode, result, agreement, cacheSize, rows, writer, flushed,
          flushNanos, buffer);

      out.printf("  %-16s %,d ms (%,d ops/s)%s%n", "elapsed",
          TimeUnit.NANOSECONDS.toMillis(result.elapsedNanos()), result.operationsPerSecond(),
          mode == Mode.WRITE_BEHIND ? String.format(", then flush %,d ms%s",
              TimeUnit.NANOSECONDS.toMillis(flushNanos), flushed ? "" : " TIMED OUT") : "");
      out.printf("  %-16s %,d calls / %,d entries written, %,d calls / %,d keys deleted%n",
          "writer", writer.writeCalls(), writer.entriesWritten(), writer.deleteCalls(),
          writer.keysDeleted());
      buffer.ifPresent(s -> out.printf("  %-16s %,d batches, %,d coalesced, %,d retried,"
              + " %,d dead-lettered, %,d pending%n", "write-behind", s.batches(), s.coalesced(),
          s.retried(), s.deadLettered(), s.pendingOperations()));
      if (cacheSize != rows) {
        out.printf("  MISMATCH: the cache holds %,d entries, the table %,d rows%n", cacheSize,
            rows);
      }
      out.printf("  %,d entries in the cache, %,d rows in the table; %s%n", cacheSize, rows,
          agreement.describe());
      return report;
    } finally {
      manager.destroyCache(CACHE_NAME);
      CountingCacheWriter.counters(countersName).reset();
      shutdown(dataSource);
    }
  }

  private static String describe(WriteBehindConfiguration writeBehind) {
    return "write-behind batchSize " + writeBehind.batchSize() + ", maxWriteDelay "
        + writeBehind.maxWriteDelay().toMillis() + " ms";
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
   * @param mode        write-behind or write-through
   * @param workload    what the workload did
   * @param agreement   the key-by-key comparison of cache and table
   * @param cacheSize   the entries in the cache after the run
   * @param tableRows   the rows in the table after the run
   * @param writer      what reached the cache writer during the run
   * @param flushed     whether the flush after the workload completed in time (always true for
   *                    write-through, which has nothing to flush)
   * @param flushNanos  how long that flush took
   * @param writeBehind the write-behind counters after the flush; empty for write-through
   */
  public record Report(Mode mode, Workload.Result workload, Agreement agreement, long cacheSize,
      long tableRows, CountingCacheWriter.Snapshot writer, boolean flushed, long flushNanos,
      Optional<WriteBehindStatistics> writeBehind) {

    /**
     * Whether the run is consistent: flushed, nothing pending or given up, and cache and table
     * agree in size and on every key.
     *
     * @return {@code true} if the run is consistent
     */
    public boolean ok() {
      boolean drained = writeBehind.map(s -> s.pendingOperations() == 0 && s.deadLettered() == 0
          && s.lost() == 0).orElse(true);
      return flushed && drained && agreement.agrees() && cacheSize == tableRows;
    }

    /**
     * Returns the calls that reached the writer.
     *
     * @return {@code write}/{@code writeAll} plus {@code delete}/{@code deleteAll} calls
     */
    public long writerCalls() {
      return writer.writeCalls() + writer.deleteCalls();
    }
  }

  /**
   * The runs of one workload in each mode, side by side.
   *
   * @param reports one report per mode, in the order they ran
   */
  public record Comparison(List<Report> reports) {

    /** Keeps an unmodifiable copy. */
    public Comparison {
      reports = List.copyOf(reports);
    }

    /**
     * Returns the report of one mode.
     *
     * @param mode the mode
     * @return its report
     * @throws java.util.NoSuchElementException if that mode did not run
     */
    public Report report(Mode mode) {
      return reports.stream().filter(r -> r.mode() == mode).findFirst().orElseThrow();
    }

    /**
     * Whether every run is consistent.
     *
     * @return {@code true} if cache and table agree after every run
     */
    public boolean ok() {
      return reports.stream().allMatch(Report::ok);
    }

    /**
     * Prints the comparison table, and the verdict.
     *
     * @param out where to print
     */
    public void print(PrintStream out) {
      out.printf("%n%-13s %9s %10s %9s %12s %15s %12s %10s  %s%n", "mode", "ops/s", "elapsed ms",
          "flush ms", "writer calls", "entries written", "keys deleted", "coalesced",
          "agreement");
      for (Report r : reports) {
        out.printf("%-13s %,9d %,10d %,9d %,12d %,15d %,12d %10s  %s%n", r.mode().label(),
            r.workload().operationsPerSecond(),
            TimeUnit.NANOSECONDS.toMillis(r.workload().elapsedNanos()),
            TimeUnit.NANOSECONDS.toMillis(r.flushNanos()), r.writerCalls(),
            r.writer().entriesWritten(), r.writer().keysDeleted(),
            r.writeBehind().map(s -> String.format("%,d", s.coalesced())).orElse("-"),
            r.ok() ? "OK (" + r.agreement().keysChecked() + " keys)" : "MISMATCH");
      }
      if (reports.size() == 2 && ok()) {
        Report behind = report(Mode.WRITE_BEHIND);
        Report through = report(Mode.WRITE_THROUGH);
        out.printf("write-behind: %.1fx the throughput, %.1fx fewer writer calls%n",
            (double) behind.workload().operationsPerSecond()
                / Math.max(1, through.workload().operationsPerSecond()),
            (double) through.writerCalls() / Math.max(1, behind.writerCalls()));
      }
      out.println(ok() ? "OK: cache and table agree after both runs"
          : "MISMATCH: cache and table disagree; see above");
    }
  }
}
