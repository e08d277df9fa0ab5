package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import javax.cache.processor.EntryProcessor;
import org.junit.jupiter.api.Test;

/**
 * Hot keys mutated by several threads while real flusher threads send them: the race between a
 * mutation that coalesces into its key's waiting operation without the buffer's lock and the
 * flusher that takes that operation into a batch (clauses 2 and 3). Every key counts up, one
 * increment per mutation, so the writer must see each key's values rise, and after every round
 * the database must hold exactly what the cache holds: a coalesce that landed in an operation
 * already sent would leave the database behind the cache.
 */
class HotKeyRaceTest {
  private static final int KEYS = 8;
  private static final int THREADS = 4;
  private static final int ROUNDS = 150;
  private static final int INCREMENTS = 400;

  /** A database table that checks each key only ever rises; static: JCache builds the writer. */
  public static final class RisingWriter implements CacheWriter<Integer, Long> {
    static final Map<Integer, Long> TABLE = new ConcurrentHashMap<>();
    static final List<String> VIOLATIONS = java.util.Collections.synchronizedList(new ArrayList<>());
    static final LongAdder ENTRIES = new LongAdder();

    @Override
    public void write(Cache.Entry<? extends Integer, ? extends Long> entry) {
      store(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends Long>> entries) {
      // a short stall widens the window in which mutations race the batch being sent
      LockSupport.parkNanos(20_000);
      entries.forEach(e -> store(e.getKey(), e.getValue()));
      entries.clear();
    }

    private static void store(Integer key, Long value) {
      ENTRIES.increment();
      Long before = TABLE.put(key, value);
      if (before != null && before >= value) {
        VIOLATIONS.add("key " + key + " went from " + before + " to " + value);
      }
    }

    @Override
    public void delete(Object key) {
      VIOLATIONS.add("unexpected delete of " + key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      VIOLATIONS.add("unexpected deleteAll of " + keys);
    }
  }

  @Test
  void theDatabaseEndsEveryRoundWhereTheCacheEnds() throws Exception {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    JotterConfiguration<Integer, Long> config = new JotterConfiguration<Integer, Long>()
        .setWriteBehind(WriteBehindConfiguration.builder().batchSize(3).flusherThreads(2)
            .maxWriteDelay(Duration.ofNanos(1)).build());
    config.setTypes(Integer.class, Long.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(RisingWriter.class));
    Cache<Integer, Long> cache = manager.createCache("hot-key-race", config);
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      JotterCache<Integer, Long> jotter = cache.unwrap(JotterCache.class);
      EntryProcessor<Integer, Long, Void> increment = (entry, args) -> {
        entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
        return null;
      };
      CyclicBarrier start = new CyclicBarrier(THREADS);
      AtomicInteger next = new AtomicInteger();
      for (int round = 0; round < ROUNDS; round++) {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          done.add(threads.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < INCREMENTS; i++) {
              cache.invoke(Math.floorMod(next.getAndIncrement() * 31, KEYS), increment);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(30, TimeUnit.SECONDS);
        }
        assertTrue(jotter.flush(Duration.ofSeconds(30)).completed(), "round " + round + " drained");
        for (int key = 0; key < KEYS; key++) {
          assertEquals(cache.get(key), RisingWriter.TABLE.get(key), "round " + round + ", key " + key);
        }
      }
      assertEquals(List.of(), RisingWriter.VIOLATIONS);
      long mutations = (long) ROUNDS * THREADS * INCREMENTS;
      // how many coalesce depends on scheduling; that each is accounted for does not
      long coalesced = jotter.writeBehindStatistics().orElseThrow().coalesced();
      assertEquals(mutations, coalesced + RisingWriter.ENTRIES.sum(),
          "every mutation is either written or replaced by a newer one");
    } finally {
      threads.shutdownNow();
      manager.destroyCache("hot-key-race");
    }
  }
}
