package dev.jotter.benchmarks;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.FactoryBuilder;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.builders.WriteBehindConfigurationBuilder;
import org.ehcache.jsr107.Eh107Configuration;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Workload 2: 100% {@code put} over Zipf-distributed accesses to 1,000 keys, with a writer to a slow
 * database ({@link SlowDatabase}: 200 µs per call + 2 µs per entry, in {@code parkNanos}).
 *
 * <p>The score is the caller's puts per second. The {@link Counters} say how many writer calls and
 * entries reached the database, and how long the database took, after the last put of an iteration, to
 * hold every key's latest value ("drain"). Write-through drains at once by definition; write-behind
 * trades that delay for caller throughput and, with coalescing, fewer writes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class WriteBenchmark {

  static final int KEYS = 1_000;
  static final int SAMPLES = 1 << 20;
  static final int MASK = SAMPLES - 1;
  static final long SEED = 0xD8_5EEDL;
  /** Distinct boxed values, cycled, so that a key's successive values differ (no boxing in the loop). */
  static final int VALUES = 1 << 16;
  /** Longest wait for a drain before the iteration is reported as not drained. */
  static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * Which cache, and how it writes: "-wt" write-through (JCache {@code setWriteThrough(true)}),
   * "-wb" write-behind. To add Jotter's write-behind, add "jotter-wb" here and fill in its case in
   * {@link #configuration}.
   */
  @Param({"jotter-wb", "ehcache-wb", "jotter-wt", "caffeine-wt", "ehcache-wt"})
  public String contender;

  Cache<Integer, Integer> cache;
  Integer[] keys;
  Integer[] values;
  int[] indexes;
  private CacheManager manager;
  private Contender provider;
  private final AtomicInteger threadOffsets = new AtomicInteger();

  /**
   * The one place that says how each contender is configured: the provider, and the cache
   * configuration that makes it write to the slow database.
   */
  static Configuration<Integer, Integer> configuration(String contender) {
    switch (contender) {
      case "jotter-wt":
      case "caffeine-wt":
      case "ehcache-wt":
        return writeThrough();
      case "ehcache-wb":
        // Ehcache's native batched write-behind, reached through its JCache layer: at most 100 ms or
        // 100 entries per batch, coalescing a key's writes within a batch; other settings are
        // Ehcache's defaults (queue of Integer.MAX_VALUE, concurrency 1). The heap tier is the
        // Long.MAX_VALUE entries that its JCache layer gives a plain MutableConfiguration.
        return Eh107Configuration.fromEhcacheCacheConfiguration(
            CacheConfigurationBuilder.newCacheConfigurationBuilder(Integer.class, Integer.class,
                    ResourcePoolsBuilder.heap(Long.MAX_VALUE))
                .withLoaderWriter(new SlowDatabaseLoaderWriter())
                .withService(WriteBehindConfigurationBuilder
                    .newBatchedWriteBehindConfiguration(100, TimeUnit.MILLISECONDS, 100)
                    .enableCoalescing()));
      case "jotter-wb":
        // the same writer behind Jotter's write-behind, batching like "ehcache-wb" (100 entries or
        // 100 ms, coalescing on); the other settings are Jotter's defaults (a bounded buffer of
        // 100,000 operations with BLOCK overflow, one flusher thread)
        JotterConfiguration<Integer, Integer> jotter = new JotterConfiguration<Integer, Integer>()
            .setWriteBehind(WriteBehindConfiguration.builder()
                .batchSize(100)
                .maxWriteDelay(Duration.ofMillis(100))
                .coalescing(true)
                .build());
        jotter.setTypes(Integer.class, Integer.class)
            .setStoreByValue(false)
            .setWriteThrough(true)
            .setCacheWriterFactory(FactoryBuilder.factoryOf(new SlowDatabaseWriter()));
        return jotter;
      default:
        throw new IllegalArgumentException("unknown contender " + contender);
    }
  }

  /** The provider of a contender: the part of its name before the dash. */
  static Contender provider(String contender) {
    return Contender.of(contender.substring(0, contender.indexOf('-')));
  }

  /** Plain JCache write-through to the slow database: the same for every provider. */
  private static Configuration<Integer, Integer> writeThrough() {
    return Contender.plainConfiguration(Integer.class, Integer.class, false)
        .setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(new SlowDatabaseWriter()));
  }

  @Setup(Level.Trial)
  public void setUp() {
    keys = Zipf.boxedKeys(KEYS);
    values = Zipf.boxedKeys(VALUES);
    indexes = Zipf.indexes(KEYS, SAMPLES, SEED);
    provider = provider(contender);
    manager = provider.manager();
    manager.destroyCache("write");
    Configuration<Integer, Integer> configuration = configuration(contender);
    cache = manager.createCache("write", configuration);
    SlowDatabase.INSTANCE.reset();
    System.out.println("# " + contender + ": " + Contender.describeCapacity(cache));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.destroyCache(cache.getName());
    provider.closeProvider();
  }

  /**
   * Waits until the database holds each key's current cache value; returns the nanoseconds waited, or
   * -1 after {@link #DRAIN_TIMEOUT_NANOS}.
   */
  long drain() {
    long start = System.nanoTime();
    int next = 0;
    while (next < KEYS) {
      Integer cached = cache.get(keys[next]);
      if (cached == null || cached.equals(SlowDatabase.INSTANCE.read(keys[next]))) {
        next++;
      } else if (System.nanoTime() - start > DRAIN_TIMEOUT_NANOS) {
        return -1;
      } else {
        Thread.onSpinWait();
        Thread.yield();
      }
    }
    return System.nanoTime() - start;
  }

  /** Each caller thread walks the key and value arrays from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int position;

    @Setup(Level.Trial)
    public void setUp(WriteBenchmark benchmark) {
      position = benchmark.threadOffsets.getAndIncrement() * (SAMPLES / 4 + 12_345);
    }
  }

  /**
   * Per-iteration figures, reported by JMH next to the score ("EVENTS": sums, not rates). Only the
   * first caller thread reports them, so that the figures hold with {@code -t N} too. The report
   * divides them by {@code puts}: writer calls and entries per 10,000 puts, mean drain time.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counters {
    /** Puts made by all callers in the iteration (with -t N, give or take the last put of each). */
    public long puts;
    /** Writer calls the database received in the iteration, drain included. */
    public long writerCalls;
    /** Entries the database received in the iteration, drain included. */
    public long entriesWritten;
    /** Nanoseconds from the last put to a drained database. */
    public long drainNanos;
    /** Iterations measured (to average drainNanos); an iteration that did not drain counts in undrained. */
    public long drains;
    /** Iterations whose drain timed out. */
    public long undrained;

    private boolean reporter;
    private long putsBefore;
    private long callsBefore;
    private long entriesBefore;

    @Setup(Level.Iteration)
    public void before(WriteBenchmark benchmark, ThreadParams thread) {
      reporter = thread.getThreadIndex() == 0;
      puts = writerCalls = entriesWritten = drainNanos = drains = undrained = 0;
      putsBefore = benchmark.totalPuts.sum();
      callsBefore = SlowDatabase.INSTANCE.calls();
      entriesBefore = SlowDatabase.INSTANCE.entries();
    }

    @TearDown(Level.Iteration)
    public void after(WriteBenchmark benchmark) {
      if (!reporter) {
        return;
      }
      long drained = benchmark.drain();
      if (drained < 0) {
        undrained = 1;
      } else {
        drainNanos = drained;
        drains = 1;
      }
      puts = benchmark.totalPuts.sum() - putsBefore;
      writerCalls = SlowDatabase.INSTANCE.calls() - callsBefore;
      entriesWritten = SlowDatabase.INSTANCE.entries() - entriesBefore;
    }
  }

  /** Puts by all caller threads (a LongAdder: cheap next to a put that reaches a writer). */
  final LongAdder totalPuts = new LongAdder();

  @Benchmark
  public void put(Cursor cursor, Counters counters) {
    int position = cursor.position++;
    cache.put(keys[indexes[position & MASK]], values[position & (VALUES - 1)]);
    totalPuts.increment();
  }
}
