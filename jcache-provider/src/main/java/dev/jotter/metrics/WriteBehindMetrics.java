package dev.jotter.metrics;

import static java.util.Objects.requireNonNull;

import dev.jotter.writebehind.WriteBehindListener;
import dev.jotter.writebehind.WriteBehindStatistics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import javax.cache.Cache;

/**
 * The Micrometer meters of one write-behind cache, tagged {@code cache} (its name) and
 * {@code cache.manager} (its manager's URI) plus any tags given. The meters are removed from the
 * registry when the cache closes or is destroyed, or when {@link #close()} is called.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>base unit</th><th>extra tags</th></tr>
 *   <tr><td>{@value #PENDING}</td><td>gauge</td><td>operations</td><td></td></tr>
 *   <tr><td>{@value #LAG}</td><td>time gauge: age of the oldest pending operation</td>
 *       <td>seconds</td><td></td></tr>
 *   <tr><td>{@value #BATCH_SIZE}</td><td>distribution summary: entries or keys per writer
 *       call</td><td>operations</td><td></td></tr>
 *   <tr><td>{@value #WRITER_CALLS}</td><td>timer: writer call latency</td><td>seconds</td>
 *       <td>{@code outcome}: success, partial_failure, failure</td></tr>
 *   <tr><td>{@value #WRITTEN}, {@value #COALESCED}, {@value #RETRIED}, {@value #FAILED},
 *       {@value #DEAD_LETTERED}, {@value #LOST}</td><td>function counters</td><td>operations</td>
 *       <td></td></tr>
 *   <tr><td>{@value #OVERFLOWS}</td><td>function counter: reservations that found the buffer
 *       full</td><td>events</td><td>{@code policy}: block, fail, write_through</td></tr>
 *   <tr><td>{@value #SYNC_DELAY}</td><td>timer with percentiles 0.5, 0.95, 0.99: per confirmed
 *       operation, the time from its acknowledgement to the writer's confirmation (the
 *       "database sync delay")</td><td>seconds</td><td></td></tr>
 *   <tr><td>{@value #DEAD_LETTERS}</td><td>gauge: dead letters kept now</td><td>operations</td>
 *       <td></td></tr>
 *   <tr><td>{@value #DEAD_LETTERS_DISCARDED}, {@value #DEAD_LETTER_OVERFLOW}</td><td>function
 *       counters: letters an operator discarded; operations kept pending because the dead
 *       letters were full</td><td>operations</td><td></td></tr>
 *   <tr><td>{@value #WRITER_FAILING}</td><td>time gauge: how long writer calls have written
 *       nothing (zero while the writer works)</td><td>seconds</td><td></td></tr>
 *   <tr><td>{@value #JOURNAL_SYNCS}, {@value #JOURNAL_RECOVERIES}</td><td>function counters,
 *       journaled caches only</td><td>syncs, recoveries</td><td></td></tr>
 * </table>
 *
 * <p>The gauges and counters read {@link WriteBehindMonitor#statistics()} when the registry
 * publishes, which takes the buffer's queue lock briefly; the summary and the timer are fed by
 * every writer call.
 */
public final class WriteBehindMetrics implements MeterBinder, AutoCloseable {

  /** Operations accepted and not yet confirmed by the writer, in flight included. */
  public static final String PENDING = "cache.writebehind.pending";
  /** How long the oldest pending operation has waited. */
  public static final String LAG = "cache.writebehind.lag";
  /** Entries ({@code writeAll}) or keys ({@code deleteAll}) per writer call. */
  public static final String BATCH_SIZE = "cache.writebehind.batch.size";
  /** Writer call latency, by outcome. */
  public static final String WRITER_CALLS = "cache.writebehind.writer.calls";
  /** Operations the writer confirmed. */
  public static final String WRITTEN = "cache.writebehind.written";
  /** Operations replaced by a newer operation of their key. */
  public static final String COALESCED = "cache.writebehind.coalesced";
  /** Failed operations scheduled for another attempt. */
  public static final String RETRIED = "cache.writebehind.retried";
  /** Failed attempts of operations. */
  public static final String FAILED = "cache.writebehind.failed";
  /** Operations whose retry budget was spent (they became dead letters). */
  public static final String DEAD_LETTERED = "cache.writebehind.dead.lettered";
  /** Dead letters kept now. */
  public static final String DEAD_LETTERS = "cache.writebehind.dead.letters";
  /** Dead letters an operator discarded. */
  public static final String DEAD_LETTERS_DISCARDED = "cache.writebehind.dead.letters.discarded";
  /** Operations kept pending because the dead letters were full. */
  public static final String DEAD_LETTER_OVERFLOW = "cache.writebehind.dead.letters.overflow";
  /** How long writer calls have written nothing. */
  public static final String WRITER_FAILING = "cache.writebehind.writer.failing";
  /** Per confirmed operation, the time from its acknowledgement to the writer's confirmation. */
  public static final String SYNC_DELAY = "cache.writebehind.sync.delay";
  /** Operations and dead letters that closing lost (caches without a journal). */
  public static final String LOST = "cache.writebehind.lost";
  /** Reservations that found the buffer full, tagged with the overflow policy. */
  public static final String OVERFLOWS = "cache.writebehind.overflows";
  /** fsyncs of the journal. */
  public static final String JOURNAL_SYNCS = "cache.writebehind.journal.syncs";
  /** Torn or corrupt journal tails truncated by recovery. */
  public static final String JOURNAL_RECOVERIES = "cache.writebehind.journal.recoveries";

  private final WriteBehindMonitor monitor;
  private final Tags tags;
  // guarded by this
  private final List<Binding> bindings = new ArrayList<>();

  /**
   * Meters for the cache watched by {@code monitor}.
   *
   * @param tags added to every meter; a {@code cache} or {@code cache.manager} tag here replaces
   *     the default one
   */
  public WriteBehindMetrics(WriteBehindMonitor monitor, Iterable<Tag> tags) {
    this.monitor = requireNonNull(monitor, "monitor");
    this.tags = Tags.of("cache", monitor.cacheName(), "cache.manager",
        monitor.managerUri().toString()).and(tags);
  }

  /**
   * Binds the write-behind meters of {@code cache} to {@code registry}: the one call, like
   * Micrometer's {@code JCacheMetrics.monitor}.
   *
   * @param tags key-value pairs added to every meter
   * @return the binder, whose {@link #close()} removes the meters before the cache closes
   * @throws IllegalArgumentException if {@code cache} is not an open write-behind Jotter cache
   */
  public static WriteBehindMetrics monitor(MeterRegistry registry, Cache<?, ?> cache,
      String... tags) {
    WriteBehindMetrics metrics = new WriteBehindMetrics(WriteBehindMonitor.of(cache)
        .orElseThrow(() -> new IllegalArgumentException("Cache '" + cache.getName()
            + "' is not an open write-behind Jotter cache")), Tags.of(tags));
    metrics.bindTo(registry);
    return metrics;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    List<Meter> meters = new ArrayList<>();
    meters.add(Gauge.builder(PENDING, monitor, m -> m.statistics().pendingOperations())
        .tags(tags).baseUnit("operations")
        .description("Write-behind operations not yet confirmed by the writer, in flight included")
        .register(registry));
    meters.add(TimeGauge.builder(LAG, monitor, TimeUnit.NANOSECONDS,
            m -> m.statistics().oldestPendingAge().toNanos())
        .tags(tags)
        .description("How long the oldest pending write-behind operation has waited")
        .register(registry));
    DistributionSummary batchSize = DistributionSummary.builder(BATCH_SIZE)
        .tags(tags).baseUnit("operations")
        .description("Entries or keys passed to one writer call")
        .register(registry);
    meters.add(batchSize);
    Map<WriteBehindListener.Outcome, Timer> timers =
        new EnumMap<>(WriteBehindListener.Outcome.class);
    for (WriteBehindListener.Outcome outcome : WriteBehindListener.Outcome.values()) {
      Timer timer = Timer.builder(WRITER_CALLS)
          .tags(tags).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
          .description("Latency of the write-behind writer calls (writeAll, deleteAll)")
          .register(registry);
      timers.put(outcome, timer);
      meters.add(timer);
    }
    meters.add(counter(registry, WRITTEN, "operations", "Operations the writer confirmed",
        WriteBehindStatistics::written));
    meters.add(counter(registry, COALESCED, "operations",
        "Operations replaced by a newer operation of their key", WriteBehindStatistics::coalesced));
    meters.add(counter(registry, RETRIED, "operations",
        "Failed operations scheduled for another attempt", WriteBehindStatistics::retried));
    meters.add(counter(registry, FAILED, "operations", "Failed attempts of operations",
        WriteBehindStatistics::failed));
    meters.add(counter(registry, DEAD_LETTERED, "operations",
        "Operations whose retry budget was spent", WriteBehindStatistics::deadLettered));
    meters.add(Gauge.builder(DEAD_LETTERS, monitor, m -> m.statistics().deadLetters())
        .tags(tags).baseUnit("operations").description("Write-behind dead letters kept now")
        .register(registry));
    meters.add(counter(registry, DEAD_LETTERS_DISCARDED, "operations",
        "Dead letters an operator discarded", WriteBehindStatistics::deadLettersDiscarded));
    meters.add(counter(registry, DEAD_LETTER_OVERFLOW, "operations",
        "Operations kept pending because the dead letters were full",
        WriteBehindStatistics::deadLetterOverflow));
    meters.add(TimeGauge.builder(WRITER_FAILING, monitor, TimeUnit.NANOSECONDS,
            m -> m.statistics().writerFailingFor().toNanos())
        .tags(tags)
        .description("How long write-behind writer calls have written nothing; zero while it works")
        .register(registry));
    meters.add(counter(registry, LOST, "operations",
        "Operations and dead letters that closing lost", WriteBehindStatistics::lost));
    Timer syncDelay = Timer.builder(SYNC_DELAY)
        .tags(tags).publishPercentiles(0.5, 0.95, 0.99)
        .description("Time from a write-behind mutation's acknowledgement to the writer's"
            + " confirmation (database sync delay)")
        .register(registry);
    meters.add(syncDelay);
    meters.add(FunctionCounter.builder(OVERFLOWS, monitor, m -> m.statistics().overflowEvents())
        .tags(tags).tag("policy", monitor.overflowPolicy().name().toLowerCase(Locale.ROOT))
        .baseUnit("events").description("Mutations that found the write-behind buffer full")
        .register(registry));
    if (monitor.isJournaled()) {
      meters.add(FunctionCounter.builder(JOURNAL_SYNCS, monitor, WriteBehindMonitor::journalSyncs)
          .tags(tags).baseUnit("syncs").description("fsyncs of the write-behind journal")
          .register(registry));
      meters.add(FunctionCounter.builder(JOURNAL_RECOVERIES, monitor,
              WriteBehindMonitor::journalCorruptTailRecoveries)
          .tags(tags).baseUnit("recoveries")
          .description("Torn or corrupt journal tails truncated when the journal was opened")
          .register(registry));
    }
    WriteBehindListener listener = new WriteBehindListener() {
      @Override
      public void onBatch(int size, long nanos, WriteBehindListener.Outcome outcome) {
        batchSize.record(size);
        Objects.requireNonNull(timers.get(outcome), "a timer for every outcome")
            .record(nanos, TimeUnit.NANOSECONDS);
      }

      @Override
      public void onConfirmed(long nanos) {
        syncDelay.record(nanos, TimeUnit.NANOSECONDS);
      }
    };
    Binding binding = new Binding(registry, meters, listener);
    synchronized (this) {
      bindings.add(binding);
    }
    monitor.events().add(listener);
    monitor.onClose(binding);
  }

  private FunctionCounter counter(MeterRegistry registry, String name, String unit,
      String description, ToLongFunction<WriteBehindStatistics> figure) {
    return FunctionCounter.builder(name, monitor, m -> figure.applyAsLong(m.statistics()))
        .tags(tags).baseUnit(unit).description(description).register(registry);
  }

  /** Whether the cache has closed, and its meters are gone. */
  boolean isCacheClosed() {
    return monitor.isClosed();
  }

  /** Removes the meters from every registry this binder bound them to. */
  @Override
  public void close() {
    List<Binding> bound;
    synchronized (this) {
      bound = List.copyOf(bindings);
      bindings.clear();
    }
    for (Binding binding : bound) {
      monitor.removeOnClose(binding);
      binding.run();
    }
  }

  /** The meters bound to one registry; {@link #run} removes them, and twice is harmless. */
  private final class Binding implements Runnable {
    final MeterRegistry registry;
    final List<Meter> meters;
    final WriteBehindListener listener;

    Binding(MeterRegistry registry, List<Meter> meters, WriteBehindListener listener) {
      this.registry = registry;
      this.meters = meters;
      this.listener = listener;
    }

    @Override
    public void run() {
      monitor.events().remove(listener);
      meters.forEach(registry::remove);
    }
  }
}
