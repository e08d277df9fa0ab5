package dev.jotter.examples.demo;

import dev.jotter.examples.jdbc.Order;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;

/**
 * An order-entry workload: several threads creating, amending, reading and cancelling orders
 * over a small set of hot keys, through any {@code Cache<Long, Order>}.
 *
 * <p>Each thread draws its operations from its own {@link Random}, seeded from the workload's
 * seed and the thread's index, so every run issues the same operations per thread; only their
 * interleaving across threads varies. Keys are skewed: four draws in five go to the hottest
 * fifth of the keys, so threads contend on the same entries.
 *
 * <p>The cache is the only shared state; the workload does not assume write-through, so it
 * runs unchanged against a write-behind cache.
 */
public final class Workload {

  /** What one step of a thread does to the cache. */
  public enum Operation {
    /** {@code get}: a read, which goes to the loader on a miss. */
    GET,
    /** {@code put}: a new order, replacing whatever was there. */
    PUT,
    /** {@code putIfAbsent}: a new order only if the key is free. */
    PUT_IF_ABSENT,
    /**
     * {@code get}, then the compare-and-set {@code replace(key, current, amended)}: an amendment
     * that only lands if nobody changed the order in between.
     */
    REPLACE,
    /** {@code invoke}: an atomic amendment (or creation) inside the cache. */
    INVOKE,
    /** {@code remove}: a cancellation. */
    REMOVE
  }

  private final long seed;
  private final int threads;
  private final int operationsPerThread;
  private final int keys;

  /**
   * Defines a workload.
   *
   * @param seed                seeds every thread's random choices
   * @param threads             the number of threads, at least 1
   * @param operationsPerThread the operations each thread performs, at least 1
   * @param keys                the order ids used are {@code 1..keys}; at least 5
   * @throws IllegalArgumentException if a count is out of range
   */
  public Workload(long seed, int threads, int operationsPerThread, int keys) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    if (operationsPerThread < 1) {
      throw new IllegalArgumentException(
          "operationsPerThread must be >= 1, was " + operationsPerThread);
    }
    if (keys < 5) {
      throw new IllegalArgumentException("keys must be >= 5, was " + keys);
    }
    this.seed = seed;
    this.threads = threads;
    this.operationsPerThread = operationsPerThread;
    this.keys = keys;
  }

  /**
   * Returns the number of threads.
   *
   * @return the threads that run the workload at the same time
   */
  public int threads() {
    return threads;
  }

  /**
   * Returns the operations each thread performs.
   *
   * @return the operations per thread
   */
  public int operationsPerThread() {
    return operationsPerThread;
  }

  /**
   * Returns the size of the key space.
   *
   * @return the workload uses the order ids {@code 1..keys()}
   */
  public int keys() {
    return keys;
  }

  /**
   * Runs the workload to completion on its own threads.
   *
   * @param cache the cache to drive
   * @return what was done, and to which keys
   * @throws InterruptedException if interrupted while waiting for the threads
   * @throws IllegalStateException if an operation failed; the first failure is the cause
   */
  public Result run(Cache<Long, Order> cache) throws InterruptedException {
    AtomicInteger created = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "workload-" + created.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    });
    try {
      // Starting all threads together makes them contend, which is the point of the run.
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Tally>> futures = new ArrayList<>();
      for (int index = 0; index < threads; index++) {
        Callable<Tally> worker = worker(cache, index, start);
        futures.add(pool.submit(worker));
      }
      long began = System.nanoTime();
      start.countDown();
      Tally total = new Tally();
      for (Future<Tally> future : futures) {
        try {
          total.add(future.get());
        } catch (ExecutionException e) {
          futures.forEach(f -> f.cancel(true));
          throw new IllegalStateException("Workload operation failed: " + e.getCause(),
              e.getCause());
        }
      }
      long elapsedNanos = System.nanoTime() - began;
      return new Result(threads, total.counts(), Collections.unmodifiableSet(total.keys),
          elapsedNanos);
    } finally {
      pool.shutdownNow();
    }
  }

  private Callable<Tally> worker(Cache<Long, Order> cache, int index, CountDownLatch start) {
    return () -> {
      Random random = new Random(seed * 31 + index);
      Tally tally = new Tally();
      start.await();
      for (int i = 0; i < operationsPerThread; i++) {
        long key = nextKey(random);
        Operation operation = nextOperation(random);
        perform(cache, operation, key, random);
        tally.record(operation, key);
      }
      return tally;
    };
  }

  private long nextKey(Random random) {
    int hottest = keys / 5;
    return 1 + (random.nextInt(5) < 4 ? random.nextInt(hottest) : random.nextInt(keys));
  }

  private static Operation nextOperation(Random random) {
    int draw = random.nextInt(100);
    if (draw < 40) {
      return Operation.GET;
    } else if (draw < 60) {
      return Operation.PUT;
    } else if (draw < 65) {
      return Operation.PUT_IF_ABSENT;
    } else if (draw < 75) {
      return Operation.REPLACE;
    } else if (draw < 90) {
      return Operation.INVOKE;
    }
    return Operation.REMOVE;
  }

  private static void perform(Cache<Long, Order> cache, Operation operation, long key,
      Random random) {
    long amount = random.nextInt(100_000);
    switch (operation) {
      case GET -> cache.get(key);
      case PUT -> cache.put(key, newOrder(key, amount));
      case PUT_IF_ABSENT -> cache.putIfAbsent(key, newOrder(key, amount));
      case REPLACE -> {
        Order current = cache.get(key);
        if (current != null) {
          cache.replace(key, current, current.withAmount(amount));
        }
      }
      case INVOKE -> cache.invoke(key, new AddToAmount(), newOrder(key, amount));
      case REMOVE -> cache.remove(key);
    }
  }

  private static Order newOrder(long key, long amountCents) {
    return new Order("customer-" + (key % 17), amountCents, 1);
  }

  /**
   * Adds the amount of the order passed as argument to the existing order, or creates the
   * order from the argument: read-modify-write that only {@code invoke} makes atomic.
   */
  private static final class AddToAmount
      implements EntryProcessor<Long, Order, Long>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(MutableEntry<Long, Order> entry, Object... arguments) {
      Order addition = (Order) arguments[0];
      Order updated = entry.exists()
          ? entry.getValue().withAmount(entry.getValue().amountCents() + addition.amountCents())
          : addition;
      entry.setValue(updated);
      return updated.amountCents();
    }
  }

  /** One thread's counts, merged into the total after the run; never shared while running. */
  private static final class Tally {
    private final long[] byOperation = new long[Operation.values().length];
    private final Set<Long> keys = new HashSet<>();

    void record(Operation operation, long key) {
      byOperation[operation.ordinal()]++;
      keys.add(key);
    }

    void add(Tally other) {
      for (int i = 0; i < byOperation.length; i++) {
        byOperation[i] += other.byOperation[i];
      }
      keys.addAll(other.keys);
    }

    Map<Operation, Long> counts() {
      Map<Operation, Long> counts = new EnumMap<>(Operation.class);
      for (Operation operation : Operation.values()) {
        counts.put(operation, byOperation[operation.ordinal()]);
      }
      return Collections.unmodifiableMap(counts);
    }
  }

  /**
   * What a run did.
   *
   * @param threads      the number of threads
   * @param byOperation  how many times each operation was performed
   * @param touchedKeys  every key that any operation used
   * @param elapsedNanos wall-clock time from the start signal to the last thread's end
   */
  public record Result(int threads, Map<Operation, Long> byOperation, Set<Long> touchedKeys,
      long elapsedNanos) {

    /**
     * Returns the total number of operations.
     *
     * @return the sum over all operations
     */
    public long operations() {
      return byOperation.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Returns the throughput of the run.
     *
     * @return operations per second of wall-clock time
     */
    public long operationsPerSecond() {
      return elapsedNanos == 0 ? 0 : operations() * 1_000_000_000L / elapsedNanos;
    }
  }
}
