package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random concurrent mutations against a writer that fails and stalls at random, on real threads
 * with several flushers. After a flush, for every key, the writer must hold the cache's last
 * state and must have seen an ordered subsequence of the cache's mutations (clauses 2, 3, 5, 8).
 *
 * <p>Runs {@code -Dwritebehind.seeds=N} seeds (default 50), or only {@code -Dwritebehind.seed=S}.
 * Thread interleavings vary between runs; the configuration, the mutations and the writer's
 * failure decisions are a function of the seed.
 */
class WriteBehindModelTest {
  private static final int KEYS = 20;
  private static final int THREADS = 4;
  private static final int MUTATIONS_PER_THREAD = 300;
  private static final String DELETE = "<delete>";

  @TestFactory
  Stream<DynamicTest> writerFollowsTheCachePerKey() {
    String single = System.getProperty("writebehind.seed");
    LongStream seeds = (single != null)
        ? LongStream.of(Long.parseLong(single))
        : LongStream.rangeClosed(1, Long.getLong("writebehind.seeds", 50));
    return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
      try {
        run(seed);
      } catch (Throwable t) {
        throw new AssertionError("seed " + seed + " failed; rerun with -Dwritebehind.seed=" + seed, t);
      }
    }));
  }

  private static void run(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    int batchSize = 1 + random.nextInt(8);
    WriteBehindConfiguration config = WriteBehindConfiguration.builder()
        .batchSize(batchSize)
        .maxPendingOperations(batchSize + random.nextInt(40))
        .coalescing(random.nextBoolean())
        .overflowPolicy(OverflowPolicy.values()[random.nextInt(OverflowPolicy.values().length)])
        .blockTimeout(Duration.ofSeconds(30))
        .flusherThreads(1 + random.nextInt(4))
        .maxWriteDelay(Duration.ofMillis(1))
        .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(4)).jitter(0.5)
        .maxAttempts(Integer.MAX_VALUE).maxRetryTime(Duration.ofHours(1)) // nothing dead-letters
        .build();
    ModelWriter writer = new ModelWriter(random.split());
    WriteBehindBuffer<Integer, String> buffer = WriteBehindBuffer.<Integer, String>builder(
        "model-" + seed, config, writer).build();
    DeadLetters<Integer, String> deadLetters = buffer.deadLetters();

    // the cache: per key a lock (its compute), its mutations in order, and its state
    Object[] locks = new Object[KEYS];
    List<List<String>> applied = new ArrayList<>();
    Map<Integer, String> cache = new ConcurrentHashMap<>();
    for (int k = 0; k < KEYS; k++) {
      locks[k] = new Object();
      applied.add(new ArrayList<>());
    }

    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom mine = random.split();
        String thread = "t" + t;
        done.add(threads.submit(() -> {
          for (int i = 0; i < MUTATIONS_PER_THREAD; i++) {
            int key = mine.nextInt(KEYS);
            String value = mine.nextInt(10) < 7 ? thread + "-" + i : null;
            mutate(buffer, key, value, locks[key], applied.get(key), cache);
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }

      assertTrue(buffer.flush(Duration.ofSeconds(60)).completed(), () -> "flush timed out " + config);
      for (int k = 0; k < KEYS; k++) {
        assertEquals(cache.get(k), writer.store.get(k), "final state of key " + k);
        assertOrderedSubsequence(writer.seen(k), applied.get(k), k);
        assertNull(buffer.pending(k));
      }
      assertEquals(Set.of(), writer.overlaps, "keys in two writer calls at once");
      WriteBehindStatistics stats = buffer.statistics();
      assertEquals(List.of(0L, 0L, 0L), List.of(stats.pendingOperations(), stats.deadLettered(),
          stats.lost()), stats::toString);
      assertEquals(0, deadLetters.size());
    } finally {
      threads.shutdownNow();
      assertTrue(buffer.close().drained());
    }
  }

  /** The cache's mutation: reserve, the per-key section, release; a refusal changes nothing. */
  private static void mutate(WriteBehindBuffer<Integer, String> buffer, int key, String value,
      Object lock, List<String> applied, Map<Integer, String> cache) {
    Reservation reservation;
    try {
      reservation = buffer.reserve(key);
    } catch (CacheWriterException full) {
      return; // FAIL (or BLOCK timing out): the cache is unchanged
    }
    try {
      synchronized (lock) {
        if (value == null) {
          buffer.delete(reservation, key);
          cache.remove(key);
        } else {
          buffer.write(reservation, key, value);
          cache.put(key, value);
        }
        applied.add(value == null ? DELETE : value);
      }
    } catch (CacheWriterException writeThroughFailed) {
      // the cache aborts its change
    } finally {
      buffer.release(reservation);
    }
  }

  private static void assertOrderedSubsequence(List<String> seen, List<String> applied, int key) {
    int next = 0;
    for (String operation : seen) {
      while (next < applied.size() && !applied.get(next).equals(operation)) {
        next++;
      }
      if (next == applied.size()) {
        fail("key " + key + ": writer saw " + seen + " but the cache applied " + applied);
      }
      next++;
    }
  }

  /** An honest writer that fails whole calls, fails part of calls, and stalls, at random. */
  private static final class ModelWriter implements CacheWriter<Integer, String> {
    final Map<Integer, String> store = new ConcurrentHashMap<>();
    final Map<Integer, List<String>> history = new ConcurrentHashMap<>();
    final Set<Integer> overlaps = ConcurrentHashMap.newKeySet();
    private final Set<Integer> inFlight = ConcurrentHashMap.newKeySet();
    private final SplittableRandom random;

    ModelWriter(SplittableRandom random) {
      this.random = random;
    }

    List<String> seen(int key) {
      return history.getOrDefault(key, List.of());
    }

    @Override
    public void write(Cache.Entry<? extends Integer, ? extends String> entry) {
      apply(new ArrayList<>(List.of(entry)), false);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends String>> entries) {
      apply(entries, true);
    }

    @Override
    public void delete(Object key) {
      apply(new ArrayList<>(List.of(key)), false);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      apply(keys, true);
    }

    private void apply(Collection<?> items, boolean partialAllowed) {
      int dice;
      int stall;
      synchronized (random) {
        dice = random.nextInt(100);
        stall = random.nextInt(2_000);
      }
      List<Integer> keys = items.stream().map(ModelWriter::keyOf).toList();
      for (Integer key : keys) {
        if (!inFlight.add(key)) {
          overlaps.add(key);
        }
      }
      try {
        for (int i = 0; i < stall; i++) {
          Thread.onSpinWait();
        }
        if (dice < 15) {
          throw new CacheWriterException("whole call failed");
        }
        boolean partial = partialAllowed && dice < 30;
        for (Iterator<?> it = items.iterator(); it.hasNext();) {
          Object item = it.next();
          boolean skip;
          synchronized (random) {
            skip = partial && random.nextBoolean();
          }
          if (!skip) {
            Integer key = keyOf(item);
            String value = (item instanceof Cache.Entry<?, ?> e) ? (String) e.getValue() : null;
            if (value == null) {
              store.remove(key);
            } else {
              store.put(key, value);
            }
            history.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(value == null ? DELETE : value);
            it.remove();
          }
        }
        if (partial) {
          throw new CacheWriterException("partial failure");
        }
      } finally {
        inFlight.removeAll(keys);
      }
    }

    private static Integer keyOf(Object item) {
      return (item instanceof Cache.Entry<?, ?> e) ? (Integer) e.getKey() : (Integer) item;
    }
  }
}
