package dev.jotter.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
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
 * Workload 1: the JCache API on a preloaded cache of 2^16 Integer keys, Zipf-distributed accesses.
 *
 * <p>Each benchmark method is one row of the report: 100% {@code get}, 100% {@code put}, and 75% get /
 * 25% put ("mixed"), on 1 and 2 threads. The cache holds every key before measurement starts, so gets
 * always hit and puts always update. Values are the boxed keys themselves, allocated once: the measured
 * loop allocates nothing of its own (JMH's {@code -prof gc} then shows the provider's allocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JCacheBenchmark {

  /** 2^16 keys. */
  static final int KEYS = 1 << 16;
  /** 2^20 precomputed accesses; threads start at different offsets. */
  static final int SAMPLES = 1 << 20;
  static final int MASK = SAMPLES - 1;
  static final long SEED = 0x5EED_1DEAL;

  @Param({"jotter", "caffeine", "ehcache"})
  public String contender;

  /** "reference": store-by-reference; "value": store-by-value (copies on the way in and out). */
  @Param({"reference", "value"})
  public String storage;

  Cache<Integer, Integer> cache;
  Integer[] keys;
  int[] indexes;
  private CacheManager manager;
  private Contender provider;
  private final AtomicInteger threadOffsets = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() {
    keys = Zipf.boxedKeys(KEYS);
    indexes = Zipf.indexes(KEYS, SAMPLES, SEED);
    provider = Contender.of(contender);
    manager = provider.manager();
    String name = "jcache-" + storage;
    manager.destroyCache(name);
    cache = manager.createCache(name,
        Contender.plainConfiguration(Integer.class, Integer.class, storage.equals("value")));
    for (Integer key : keys) {
      cache.put(key, key);
    }
    System.out.println("# " + Contender.describeCapacity(cache) + ", storeByValue="
        + storage.equals("value") + ", preloaded " + KEYS + " entries");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.destroyCache(cache.getName());
    provider.closeProvider();
  }

  /** Each thread walks the shared index array from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int position;
    int operation;

    @Setup(Level.Trial)
    public void setUp(JCacheBenchmark benchmark) {
      position = benchmark.threadOffsets.getAndIncrement() * (SAMPLES / 4 + 12_345);
    }

    int next() {
      return position++ & MASK;
    }
  }

  private Integer get(Cursor cursor) {
    return cache.get(keys[indexes[cursor.next()]]);
  }

  private void put(Cursor cursor) {
    Integer key = keys[indexes[cursor.next()]];
    cache.put(key, key);
  }

  private Integer mixed(Cursor cursor) {
    if ((cursor.operation++ & 3) == 0) {
      put(cursor);
      return null;
    }
    return get(cursor);
  }

  @Benchmark
  @Threads(1)
  public Integer get_1t(Cursor cursor) {
    return get(cursor);
  }

  @Benchmark
  @Threads(2)
  public Integer get_2t(Cursor cursor) {
    return get(cursor);
  }

  @Benchmark
  @Threads(1)
  public void put_1t(Cursor cursor) {
    put(cursor);
  }

  @Benchmark
  @Threads(2)
  public void put_2t(Cursor cursor) {
    put(cursor);
  }

  @Benchmark
  @Threads(1)
  public Integer mixed_1t(Cursor cursor) {
    return mixed(cursor);
  }

  @Benchmark
  @Threads(2)
  public Integer mixed_2t(Cursor cursor) {
    return mixed(cursor);
  }
}
