package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A randomized model test of write-behind through the public {@link Cache} API: several threads
 * mutate a small key set with every kind of mutation while a writer fails at random (whole calls and
 * partial {@code writeAll}/{@code deleteAll} leftovers) and is slow at random. After {@code flush()},
 * for every key the writer's final state equals the cache's (absent ⇔ deleted, clauses 2 and 9), and
 * the writer's sequence of states is an ordered subsequence of the cache's (clauses 2 and 3).
 * Reads during the run must return the cache's newest state although entries are evicted while
 * their writes are pending and the loader reads the database (clause 7).
 *
 * <p>Two seeds in three add poison: values ending in {@code !} that the writer refuses, either as
 * the JCache partial-failure rule says (left in the collection) or by failing the whole call, and
 * one thread keeps putting poison into one key (a failing key updated all the while). Retry
 * budgets are then finite, so poison is dead-lettered (clause 6). After the flush, a key whose
 * newest state is a dead letter has the letter hold exactly that state, and the writer an older
 * one; every other key is as above. Then the database is fixed, every letter resubmitted, and
 * every key must reach the cache's state.
 *
 * <p><b>How the cache's order is recorded.</b> Each mutation runs while the test holds the locks of
 * the keys it touches (in key order, so no deadlock), and records its effect before releasing them.
 * Two mutations of a key therefore never overlap, so the order of the records is the order the
 * cache applied them. A synchronous {@code CacheEntryListener} would not be sound: Jotter dispatches
 * events after the key's atomic section, so two threads' events for one key can arrive in the other
 * order, and some mutations that reach the writer raise no event at all ({@code remove} of an absent
 * key deletes through the writer, as the TCK requires). The price: the cache never sees two
 * mutations of one key at the same instant; it still sees concurrent mutations of different keys,
 * flushers running against mutators, write-through overflow and back-pressure.
 *
 * <p>Seeds: {@code -Dwritebehind.cache.seeds=N} runs N seeds (default 30);
 * {@code -Dwritebehind.cache.seed=S} runs only seed S. A failure names its seed. Thread scheduling
 * is not reproducible, but a seed fixes the configuration and each thread's operations.
 */
class WriteBehindCacheModelTest {
  private static final int KEYS = 8;
  private static final int THREADS = 4;
  private static final int OPS_PER_THREAD = 400;
  private static final Map<String, ModelWriter> WRITERS = new ConcurrentHashMap<>();
  private static final AtomicInteger RUNS = new AtomicInteger();

  @TestFactory
  Stream<DynamicTest> writerEndsInTheCachesStateInTheCachesOrder() {
    String single = System.getProperty("writebehind.cache.seed");
    LongStream seeds = (single != null)
        ? LongStream.of(Long.parseLong(single))
        : LongStream.range(0, Long.getLong("writebehind.cache.seeds", 30)).map(i -> 1_000 + i);
    return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> run(seed)));
  }

  // ------------------------------------------------------------------ the writer (the database)

  /** Fails at random, leaves random leftovers, is slow at random; records what it wrote. */
  public static final class ModelWriter implements CacheWriter<String, String> {
    final Map<String, String> store = new ConcurrentHashMap<>();
    final Map<String, List<String>> history = new ConcurrentHashMap<>();
    final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    final Set<String> overlaps = ConcurrentHashMap.newKeySet();
    final AtomicInteger failures = new AtomicInteger();
    /** 0: no poison; 1: poison values are left in the collection; 2: they fail the whole call. */
    volatile int poisonMode;
    /**
     * The database is fixed: no random failures either, so that a resubmitted letter is written
     * rather than, by bad luck over its few attempts, dead-lettered again.
     */
    volatile boolean fixed;
    private final Random random;

    ModelWriter(long seed) {
      this.random = new Random(seed);
    }

    private synchronized int next(int bound) {
      return random.nextInt(bound);
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      // only write-through overflow calls this; it never fails, so no mutation is refused
      apply(new ArrayList<>(List.of(entry)), Cache.Entry::getKey, Cache.Entry::getValue, false);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      apply(entries, Cache.Entry::getKey, Cache.Entry::getValue, true);
    }

    @Override
    public void delete(Object key) {
      apply(new ArrayList<>(List.of(key)), k -> (String) k, k -> null, false);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      apply(keys, k -> (String) k, k -> null, true);
    }

    static boolean isPoison(String value) {
      return value != null && value.endsWith("!");
    }

    private <T> void apply(Collection<T> items, Function<T, String> keyOf,
        Function<T, String> valueOf, boolean mayFail) {
      List<String> keys = items.stream().map(keyOf).toList();
      for (String key : keys) {
        if (!inFlight.add(key)) {
          overlaps.add(key);
        }
      }
      try {
        if (next(4) == 0) {
          LockSupport.parkNanos(next(200_000)); // slow
        }
        int fate = (mayFail && !fixed) ? next(10) : 9;
        if (fate < 2) {
          failures.incrementAndGet();
          throw new CacheWriterException("database unavailable"); // the whole call, untouched
        }
        int poison = mayFail ? poisonMode : 0;
        if (poison == 2 && items.stream().map(valueOf).anyMatch(ModelWriter::isPoison)) {
          failures.incrementAndGet();
          throw new CacheWriterException("batch rejected: a row violates a constraint");
        }
        boolean partial = (fate < 4);
        boolean leftover = false;
        for (Iterator<T> it = items.iterator(); it.hasNext();) {
          T item = it.next();
          String key = keyOf.apply(item);
          String value = valueOf.apply(item);
          if ((partial && next(2) == 0) || (poison == 1 && isPoison(value))) {
            leftover = true; // left in the collection: not written (JCache rule)
            continue;
          }
          if (value == null) {
            store.remove(key);
          } else {
            store.put(key, value);
          }
          history.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
              .add(value == null ? "deleted" : value);
          it.remove();
        }
        if (leftover) {
          failures.incrementAndGet();
          throw new CacheWriterException("partial failure");
        }
      } finally {
        keys.forEach(inFlight::remove);
      }
    }
  }

  /** Serializable factories over the run's writer (JCache configurations take factories). */
  public static final class WriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String id;

    WriterFactory(String id) {
      this.id = id;
    }

    @Override
    public CacheWriter<String, String> create() {
      return WRITERS.get(id);
    }
  }

  /** Reads the run's database: what the writer confirmed. */
  public static final class LoaderFactory implements Factory<CacheLoader<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String id;

    LoaderFactory(String id) {
      this.id = id;
    }

    @Override
    public CacheLoader<String, String> create() {
      ModelWriter writer = WRITERS.get(id);
      return new CacheLoader<>() {
        @Override
        public String load(String key) {
          return writer.store.get(key);
        }

        @Override
        public Map<String, String> loadAll(Iterable<? extends String> keys) {
          Map<String, String> result = new HashMap<>();
          keys.forEach(key -> {
            String value = writer.store.get(key);
            if (value != null) {
              result.put(key, value);
            }
          });
          return result;
        }
      };
    }
  }

  static final class SetTo implements EntryProcessor<String, String, Void> {
    @Override
    public Void process(MutableEntry<String, String> entry, Object... arguments) {
      entry.setValue((String) arguments[0]);
      return null;
    }
  }

  static final class Remove implements EntryProcessor<String, String, Void> {
    @Override
    public Void process(MutableEntry<String, String> entry, Object... arguments) {
      entry.remove();
      return null;
    }
  }

  // ------------------------------------------------------------------ one run

  /** The cache's per-key history as the test recorded it, under the key's lock. */
  private final class Model {
    final ReentrantLock[] locks = IntStream.range(0, KEYS).mapToObj(i -> new ReentrantLock())
        .toArray(ReentrantLock[]::new);
    final Map<String, List<String>> sequence = new ConcurrentHashMap<>();
    final Map<String, String> state = new ConcurrentHashMap<>();

    void lock(Collection<String> keys) {
      new TreeSet<>(keys).forEach(key -> locks[index(key)].lock());
    }

    void unlock(Collection<String> keys) {
      keys.stream().distinct().forEach(key -> locks[index(key)].unlock());
    }

    void wrote(String key, String value) {
      sequence.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      state.put(key, value);
    }

    void deleted(String key) {
      sequence.computeIfAbsent(key, k -> new ArrayList<>()).add("deleted");
      state.remove(key);
    }
  }

  private static int index(String key) {
    return Integer.parseInt(key.substring(1));
  }

  private static String key(int i) {
    return "k" + i;
  }

  private void run(long seed) throws Exception {
    Random random = new Random(seed);
    boolean bounded = random.nextBoolean();
    int poisonMode = random.nextInt(3);
    int batchSize = 1 + random.nextInt(6);
    WriteBehindConfiguration settings = WriteBehindConfiguration.builder()
        .coalescing(random.nextInt(3) != 0)
        .batchSize(batchSize)
        .flusherThreads(1 + random.nextInt(3))
        .maxPendingOperations(batchSize + random.nextInt(16))
        .overflowPolicy(random.nextBoolean() ? OverflowPolicy.BLOCK : OverflowPolicy.WRITE_THROUGH)
        .blockTimeout(Duration.ofMinutes(1))
        .maxWriteDelay(Duration.ofMillis(1 + random.nextInt(3)))
        .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).jitter(0.5)
        .maxAttempts((poisonMode == 0) ? Integer.MAX_VALUE : 4 + random.nextInt(4))
        .maxRetryTime(Duration.ofDays(1))
        .drainTimeout(Duration.ofSeconds(30))
        .build();
    String id = "wb-model-" + seed + "-" + RUNS.incrementAndGet();
    ModelWriter writer = new ModelWriter(seed);
    writer.poisonMode = poisonMode;
    WRITERS.put(id, writer);
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings);
    if (bounded) {
      config.setMaximumSize(3); // entries are evicted while their writes are pending
    }
    config.setTypes(String.class, String.class)
        .setWriteThrough(true).setCacheWriterFactory(new WriterFactory(id))
        .setReadThrough(true).setCacheLoaderFactory(new LoaderFactory(id));
    String context = "seed " + seed + " (-Dwritebehind.cache.seed=" + seed + "), " + settings
        + (bounded ? ", maximumSize 3" : ", unbounded")
        + ", poison " + List.of("none", "left in the collection", "fails the whole call")
            .get(poisonMode);
    CacheManager manager = Caching.getCachingProvider()
        .getCacheManager(URI.create("jotter:" + id), getClass().getClassLoader());
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      Cache<String, String> cache = manager.createCache(id, config);
      Model model = new Model();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long threadSeed = random.nextLong();
        String name = "t" + t;
        workers.add(threads.submit(() -> {
          mutate(cache, model, new Random(threadSeed), name, bounded, poisonMode != 0, context);
          return null;
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(2, TimeUnit.MINUTES);
      }
      @SuppressWarnings("unchecked")
      JotterCache<String, String> jotter = cache.unwrap(JotterCache.class);
      assertTrue(jotter.flush(Duration.ofMinutes(1)).completed(), context + ": flush timed out");
      WriteBehindStatistics stats = jotter.writeBehindStatistics().orElseThrow();
      assertEquals(0, stats.pendingOperations(), context);
      if (poisonMode == 0) {
        assertEquals(0, stats.deadLettered(), context);
      }
      assertEquals(Set.of(), writer.overlaps, context + ": a key was in two writer calls at once");
      DeadLetters<String, String> letters = jotter.deadLetters().orElseThrow();
      check(cache, model, writer, letters, context);

      // the database is fixed: every letter resubmitted reaches it
      writer.poisonMode = 0;
      writer.fixed = true;
      letters.resubmitAll();
      assertTrue(jotter.flush(Duration.ofMinutes(1)).completed(), context + ": second flush");
      assertEquals(0, letters.size(), context + ": letters left after the resubmission");
      check(cache, model, writer, letters, context + " (after resubmitting)");
    } finally {
      threads.shutdownNow();
      manager.close();
      WRITERS.remove(id);
    }
  }

  /**
   * After a flush: per key, the writer holds the cache's state, or the key's dead letter does and
   * the writer an older one; the writer's states are an ordered subsequence of the cache's.
   */
  private static void check(Cache<String, String> cache, Model model, ModelWriter writer,
      DeadLetters<String, String> letters, String context) {
    Map<String, String> inMemory = new HashMap<>();
    cache.forEach(entry -> inMemory.put(entry.getKey(), entry.getValue()));
    for (int i = 0; i < KEYS; i++) {
      String key = key(i);
      List<String> cacheSequence = model.sequence.getOrDefault(key, List.of());
      List<String> writerSequence = writer.history.getOrDefault(key, List.of());
      DeadLetter<String, String> letter = letters.get(key).orElse(null);
      String where = context + ", key " + key + "\n cache:  " + cacheSequence + "\n writer: "
          + writerSequence + "\n letter: " + letter;
      if (letter != null) {
        assertEquals(model.state.get(key), letter.value(), "the letter holds the key's newest state; " + where);
      } else {
        assertEquals(model.state.get(key), writer.store.get(key), "final state; " + where);
      }
      if (inMemory.containsKey(key)) {
        assertEquals(model.state.get(key), inMemory.get(key), "cache's state; " + where);
      }
      assertTrue(isSubsequence(writerSequence, cacheSequence), "order; " + where);
      if (letter == null && !cacheSequence.isEmpty() && !writerSequence.isEmpty()) {
        assertEquals(cacheSequence.get(cacheSequence.size() - 1),
            writerSequence.get(writerSequence.size() - 1), "last operation; " + where);
      }
    }
  }

  /** One thread's random mutations (and reads), each under the locks of the keys it touches. */
  private void mutate(Cache<String, String> cache, Model model, Random random, String thread,
      boolean bounded, boolean poison, String context) {
    for (int op = 0; op < OPS_PER_THREAD; op++) {
      String key = key(random.nextInt(KEYS));
      // with poison: some values are refused by the writer, and thread t0 keeps putting poison
      // into k0, a failing key updated all the while
      boolean hot = poison && thread.equals("t0") && random.nextInt(3) == 0;
      if (hot) {
        key = key(0);
      }
      String value = thread + "-" + op + ((hot || (poison && random.nextInt(8) == 0)) ? "!" : "");
      int kind = hot ? 0 : random.nextInt(bounded ? 19 : 20);
      List<String> keys = switch (kind) {
        case 1, 10, 14 -> randomKeys(random);
        case 19 -> allKeys();
        default -> List.of(key);
      };
      model.lock(keys);
      try {
        String current = model.state.get(key);
        switch (kind) {
          case 0 -> {
            cache.put(key, value);
            model.wrote(key, value);
          }
          case 1 -> {
            Map<String, String> entries = new LinkedHashMap<>();
            keys.forEach(k -> entries.put(k, value + "-" + k));
            cache.putAll(entries);
            entries.forEach(model::wrote);
          }
          case 2 -> {
            if (cache.putIfAbsent(key, value)) {
              model.wrote(key, value);
            }
          }
          case 3 -> {
            if (cache.replace(key, value)) {
              model.wrote(key, value);
            }
          }
          case 4 -> {
            String expected = random.nextBoolean() ? current : "nope";
            if (expected != null && cache.replace(key, expected, value)) {
              model.wrote(key, value);
            }
          }
          case 5 -> {
            cache.getAndPut(key, value);
            model.wrote(key, value);
          }
          case 6 -> {
            if (cache.getAndReplace(key, value) != null) {
              model.wrote(key, value);
            }
          }
          case 7, 8 -> {
            cache.remove(key); // reaches the writer even if absent (JCache write-through rule)
            model.deleted(key);
          }
          case 9 -> {
            String expected = random.nextBoolean() ? current : "nope";
            if (expected != null && cache.remove(key, expected)) {
              model.deleted(key);
            }
          }
          case 10 -> {
            cache.removeAll(Set.copyOf(keys));
            keys.forEach(model::deleted);
          }
          case 11 -> {
            cache.getAndRemove(key);
            model.deleted(key);
          }
          case 12 -> {
            cache.invoke(key, new SetTo(), value);
            model.wrote(key, value);
          }
          case 13 -> {
            cache.invoke(key, new Remove());
            model.deleted(key);
          }
          case 14 -> {
            boolean set = random.nextBoolean();
            Map<String, EntryProcessorResult<Void>> results = set
                ? cache.invokeAll(Set.copyOf(keys), new SetTo(), value)
                : cache.invokeAll(Set.copyOf(keys), new Remove());
            for (EntryProcessorResult<Void> result : results.values()) {
              result.get(); // a failed key throws here
            }
            keys.forEach(k -> {
              if (set) {
                model.wrote(k, value);
              } else {
                model.deleted(k);
              }
            });
          }
          case 15, 16 -> assertEquals(current, cache.get(key), context + ": get " + key);
          case 17 -> {
            boolean contains = cache.containsKey(key);
            // containsKey never loads: an entry evicted after its write was confirmed is absent,
            // as under write-through; but a deleted key is never reported present
            if (bounded ? contains : true) {
              assertEquals(current != null, contains, context + ": containsKey " + key);
            }
          }
          case 18 -> {
            Map<String, String> read = cache.getAll(Set.of(key));
            assertEquals(current, read.get(key), context + ": getAll " + key);
          }
          case 19 -> {
            // unbounded only: the cache's entries are exactly the present keys
            List<String> present = new ArrayList<>(model.state.keySet());
            cache.removeAll();
            present.forEach(model::deleted);
          }
          default -> fail("kind " + kind);
        }
      } catch (RuntimeException e) {
        throw new AssertionError(context + ": " + thread + " op " + op + " kind " + kind
            + " failed; no mutation may see a writer failure", e);
      } finally {
        model.unlock(keys);
      }
    }
  }

  private static List<String> randomKeys(Random random) {
    int count = 1 + random.nextInt(3);
    Set<String> keys = new TreeSet<>();
    while (keys.size() < count) {
      keys.add(key(random.nextInt(KEYS)));
    }
    return new ArrayList<>(keys);
  }

  private static List<String> allKeys() {
    return IntStream.range(0, KEYS).mapToObj(WriteBehindCacheModelTest::key).toList();
  }

  /** Whether {@code sub} appears in {@code sequence} in order, not necessarily contiguously. */
  static boolean isSubsequence(List<String> sub, List<String> sequence) {
    int i = 0;
    for (String item : sequence) {
      if (i < sub.size() && sub.get(i).equals(item)) {
        i++;
      }
    }
    return i == sub.size();
  }
}
