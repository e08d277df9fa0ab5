package dev.jotter.journal;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.metrics.WriteBehindMonitor;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The README's durability cost figures: acknowledged mutations per second and journal fsyncs of a
 * write-behind cache at NONE, ASYNC and SYNC with 1, 4 and 16 mutating threads. A timing run, not
 * JMH (the lead runs the official comparison); it lives in this package to read the journal's
 * fsync count ({@link WriteBehindMonitor#journalSyncs}). Run: {@code ./mvnw -B -o test -Pcost -f
 * durability-tests/pom.xml}; {@code -Dcost.seconds} sets the measured time per point.
 */
@EnabledIfSystemProperty(named = "durability.cost", matches = "true")
class DurabilityCostReport {

  /** The database is not what is measured: acknowledgement never waits for the writer. */
  public static final class DiscardingWriter implements CacheWriter<Long, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Cache.Entry<? extends Long, ? extends String> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Long, ? extends String>> entries) {
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }

  @Test
  void report() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("cost.seconds", "3"));
    Path root = Files.createTempDirectory("jotter-cost");
    System.out.printf("COST journal in %s (%s), %.0f s per point, 100-byte values, 100k keys%n",
        root, Files.getFileStore(root).type(), seconds);
    System.out.println("COST durability threads acks/s fsyncs/s acks-per-fsync");
    int run = 0;
    for (Durability durability : Durability.values()) {
      for (int threads : new int[] {1, 4, 16}) {
        measure(root, "cost-" + run++, durability, threads, seconds);
      }
    }
  }

  private static void measure(Path root, String name, Durability durability, int threads,
      double seconds) throws Exception {
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:" + name), DurabilityCostReport.class.getClassLoader());
    WriteBehindConfiguration.Builder settings = WriteBehindConfiguration.builder()
        .durability(durability).maxPendingOperations(1_000_000);
    if (durability != Durability.NONE) {
      settings.journalDirectory(root);
    }
    JotterConfiguration<Long, String> config = new JotterConfiguration<Long, String>()
        .setWriteBehind(settings.build());
    config.setTypes(Long.class, String.class).setStoreByValue(false).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(DiscardingWriter.class));
    try {
      Cache<Long, String> cache = manager.createCache(name, config);
      WriteBehindMonitor journal = (durability == Durability.NONE) ? null
          : WriteBehindMonitor.of(cache).orElseThrow();
      String value = "x".repeat(100);
      for (long i = 0; i < 20_000; i++) { // warm-up
        cache.put(i % 100_000, value);
      }
      LongAdder acks = new LongAdder();
      CountDownLatch start = new CountDownLatch(1);
      long durationNanos = (long) (seconds * 1e9);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long offset = t * 7_919L;
        Thread worker = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          long end = System.nanoTime() + durationNanos;
          long i = offset;
          while (System.nanoTime() < end) {
            cache.put(i++ % 100_000, value);
            acks.increment();
          }
        });
        workers.add(worker);
        worker.start();
      }
      long syncsBefore = (journal == null) ? 0 : journal.journalSyncs();
      long begin = System.nanoTime();
      start.countDown();
      for (Thread worker : workers) {
        worker.join();
      }
      double elapsed = (System.nanoTime() - begin) / 1e9;
      long syncs = (journal == null) ? 0 : journal.journalSyncs() - syncsBefore;
      System.out.printf("COST %s %d %.0f %.0f %s%n", durability, threads, acks.sum() / elapsed,
          syncs / elapsed, syncs == 0 ? "-" : String.format("%.1f", (double) acks.sum() / syncs));
    } finally {
      manager.close();
    }
  }
}
