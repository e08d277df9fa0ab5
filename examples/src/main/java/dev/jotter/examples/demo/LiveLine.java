package dev.jotter.examples.demo;

import dev.jotter.JotterCache;
import dev.jotter.metrics.WriteBehindMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints one line per period while a demo run is going: what the cache takes in, what waits in the
 * write-behind buffer, and what reaches the database.
 *
 * <pre>
 *   [write-behind   1.0s] puts/s  41,210 | pending    96 | lag   49 ms | rows written/s  2,410 | coalesced  38,511
 * </pre>
 *
 * <p>{@code puts/s} is the cache's standard {@code CachePuts} statistic; {@code pending},
 * {@code lag} (the age of the oldest pending operation) and {@code coalesced} are Jotter's
 * Micrometer meters ({@code cache.writebehind.pending}, {@code .lag}, {@code .coalesced}), read from
 * a {@link SimpleMeterRegistry} the way a Prometheus scrape or Spring Boot's actuator would read
 * them; {@code rows written/s} comes from the {@link CountingCacheWriter} around the JDBC writer
 * (rows upserted plus rows deleted). A write-through cache has no buffer and no such meters, so it
 * shows dashes there.
 *
 * <p>The periodic line is printed by its own daemon thread; {@link #close()} stops it.
 * {@link #printNow} adds a line at a moment of the run's choosing (the end of the workload, the end
 * of the flush), so that a run shorter than a period still shows its state.
 */
final class LiveLine implements AutoCloseable {

  private final PrintStream out;
  private final String label;
  private final JotterCache<?, ?> cache;
  private final CountingCacheWriter.Counters writes;
  private final ScheduledExecutorService timer;
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final WriteBehindMetrics binding;
  private final long periodNanos;
  private final long startedAt = System.nanoTime();
  // touched by the timer thread only
  private long lastAt = startedAt;
  private long lastPuts;
  private long lastRows;

  private LiveLine(PrintStream out, String label, JotterCache<?, ?> cache,
      CountingCacheWriter.Counters writes, Duration period) {
    this.out = out;
    this.periodNanos = period.toNanos();
    this.label = label;
    this.cache = cache;
    this.writes = writes;
    this.lastPuts = cache.statistics().getCachePuts();
    this.lastRows = rows(writes.snapshot());
    this.binding = cache.writeBehindStatistics().isPresent()
        ? WriteBehindMetrics.monitor(meters, cache) : null;
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "demo-live-line");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts printing a line every {@code period}.
   *
   * @param out    where to print
   * @param label  the run's name, at the start of each line
   * @param cache  the cache whose statistics are shown
   * @param writes the counters of the cache's writer
   * @param period the time between two lines
   * @return the running printer; close it to stop
   */
  static LiveLine start(PrintStream out, String label, JotterCache<?, ?> cache,
      CountingCacheWriter.Counters writes, Duration period) {
    LiveLine line = new LiveLine(out, label, cache, writes, period);
    line.timer.scheduleAtFixedRate(line::print, period.toNanos(), period.toNanos(),
        TimeUnit.NANOSECONDS);
    return line;
  }

  /**
   * Prints a line now, outside the period, ending with {@code event}: the end of a run and its
   * flush are worth a line even when the run is shorter than a period.
   *
   * @param event what just happened, such as {@code "workload done"}
   */
  void printNow(String event) {
    print("  <- " + event);
  }

  private synchronized void print() {
    if (System.nanoTime() - lastAt < periodNanos / 2) {
      return; // printNow just printed: a line for a few milliseconds would only show zeros
    }
    print("");
  }

  // Synchronized: the timer thread and the run's thread both print, and share the last sample.
  private synchronized void print(String suffix) {
    long now = System.nanoTime();
    double seconds = Math.max(1e-9, (now - lastAt) / 1e9);
    long puts = cache.statistics().getCachePuts();
    long rows = rows(writes.snapshot());
    Gauge pending = meters.find(WriteBehindMetrics.PENDING).gauge();
    TimeGauge lag = meters.find(WriteBehindMetrics.LAG).timeGauge();
    FunctionCounter coalesced = meters.find(WriteBehindMetrics.COALESCED).functionCounter();
    out.printf("  [%-13s %4.1fs] puts/s %,7d | pending %5s | lag %7s | rows written/s %,6d"
            + " | coalesced %7s%s%n",
        label, (now - startedAt) / 1e9,
        Math.round((puts - lastPuts) / seconds),
        pending == null ? "-" : String.format("%,d", Math.round(pending.value())),
        lag == null ? "-" : Math.round(lag.value(TimeUnit.MILLISECONDS)) + " ms",
        Math.round((rows - lastRows) / seconds),
        coalesced == null ? "-" : String.format("%,d", Math.round(coalesced.count())), suffix);
    lastAt = now;
    lastPuts = puts;
    lastRows = rows;
  }

  private static long rows(CountingCacheWriter.Snapshot snapshot) {
    return snapshot.entriesWritten() + snapshot.keysDeleted();
  }

  /** Stops the line; no line is printed after this returns. */
  @Override
  public void close() {
    if (binding != null) {
      binding.close();
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
