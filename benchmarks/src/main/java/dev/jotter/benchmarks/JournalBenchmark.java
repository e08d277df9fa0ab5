package dev.jotter.benchmarks;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.metrics.WriteBehindMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
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

/**
 * Workload 4: what durability costs. Acknowledged puts per second on a write-behind cache whose writer
 * does nothing, with durability {@code NONE}, {@code ASYNC} and {@code SYNC}, on 1, 4 and 16 threads;
 * the fsyncs the journal made are counted beside the puts, so that the report shows how many
 * acknowledged puts share one fsync (group commit). {@link FsyncBenchmark} measures the disk's own
 * fsync rate in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JournalBenchmark {

  static final int KEYS = 100_000;

  @Param({"NONE", "ASYNC", "SYNC"})
  public String durability;

  Cache<Integer, Integer> cache;
  WriteBehindMonitor monitor;
  private CacheManager manager;
  private Path directory;
  private final AtomicInteger threads = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("jotter-journal-bench");
    manager = Contender.JOTTER.manager();
    WriteBehindConfiguration.Builder writeBehind = WriteBehindConfiguration.builder()
        .batchSize(1_000)
        .maxWriteDelay(Duration.ofMillis(10))
        .durability(Durability.valueOf(durability));
    if (!durability.equals("NONE")) {
      writeBehind.journalDirectory(directory);
    }
    JotterConfiguration<Integer, Integer> config = new JotterConfiguration<Integer, Integer>()
        .setWriteBehind(writeBehind.build());
    config.setTypes(Integer.class, Integer.class)
        .setStoreByValue(false)
        .setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(NoWriter.class));
    cache = manager.createCache("journal-" + durability, config);
    monitor = WriteBehindMonitor.of(cache).orElseThrow();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    manager.destroyCache(cache.getName());
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** Acknowledged puts and the journal's fsyncs in an iteration; the report divides one by the other. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counters {
    /** Puts this thread made (acknowledged: put returned). */
    public long puts;
    /** The journal's fsyncs in the iteration, counted by one thread only. */
    public long fsyncs;
    int thread;
    int next;
    private long syncsAtStart;
    private boolean counting;

    @Setup(Level.Iteration)
    public void start(JournalBenchmark benchmark) {
      if (!counting) {
        thread = benchmark.threads.getAndIncrement();
        next = thread * 7_919;
        counting = true;
      }
      puts = 0;
      fsyncs = 0;
      syncsAtStart = benchmark.monitor.journalSyncs();
    }

    @TearDown(Level.Iteration)
    public void stop(JournalBenchmark benchmark) {
      if (thread == 0) {
        fsyncs = benchmark.monitor.journalSyncs() - syncsAtStart;
      }
    }
  }

  private int put(Counters counters) {
    int key = counters.next;
    counters.next = (key + 1) % KEYS;
    cache.put(key, key);
    counters.puts++;
    return key;
  }

  @Benchmark
  @Threads(1)
  public int put_1t(Counters counters) {
    return put(counters);
  }

  @Benchmark
  @Threads(4)
  public int put_4t(Counters counters) {
    return put(counters);
  }

  @Benchmark
  @Threads(16)
  public int put_16t(Counters counters) {
    return put(counters);
  }

  /** A writer that accepts everything at once: the journal, not the database, is measured. */
  public static final class NoWriter implements CacheWriter<Integer, Integer> {
    @Override
    public void write(Cache.Entry<? extends Integer, ? extends Integer> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends Integer>> entries) {
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }
}
