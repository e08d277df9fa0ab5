package dev.jotter.benchmarks;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A simulated slow database: every call costs {@link #CALL_NANOS} plus {@link #ENTRY_NANOS} per entry,
 * spent in {@link LockSupport#parkNanos} (the calling thread sleeps and frees its core, as a thread
 * waiting on a real database would; a busy spin would instead steal one of the machine's few cores
 * from the cache under test). The latest value of each key is kept so that a benchmark can tell when
 * everything the cache accepted has reached the database.
 *
 * <p>One instance per JVM: JMH forks a JVM per trial, and the writers given to the caches are thin
 * adapters ({@link SlowDatabaseWriter}, {@link SlowDatabaseLoaderWriter}) that all write here.
 */
public final class SlowDatabase {

  /** Fixed cost of one writer call: 200 µs. */
  public static final long CALL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
  /** Cost of each entry of a call: 2 µs. */
  public static final long ENTRY_NANOS = TimeUnit.MICROSECONDS.toNanos(2);

  /** The one database of this JVM. */
  public static final SlowDatabase INSTANCE = new SlowDatabase();

  private final Map<Object, Object> rows = new ConcurrentHashMap<>();
  private final LongAdder calls = new LongAdder();
  private final LongAdder entries = new LongAdder();

  private SlowDatabase() {}

  /** Writes one row: one call, one entry. */
  public void write(Object key, Object value) {
    cost(1);
    rows.put(key, value);
    entries.increment();
    calls.increment();
  }

  /** Writes a batch in one call. */
  public void writeAll(Map<?, ?> batch) {
    cost(batch.size());
    rows.putAll(batch);
    entries.add(batch.size());
    calls.increment();
  }

  /** Deletes one row. */
  public void delete(Object key) {
    cost(1);
    rows.remove(key);
    entries.increment();
    calls.increment();
  }

  /** Deletes a batch in one call. */
  public void deleteAll(Collection<?> keys) {
    cost(keys.size());
    keys.forEach(rows::remove);
    entries.add(keys.size());
    calls.increment();
  }

  /** Returns the stored value of a key, or null. */
  public Object read(Object key) {
    return rows.get(key);
  }

  /** Writer calls so far. */
  public long calls() {
    return calls.sum();
  }

  /** Entries written or deleted so far. */
  public long entries() {
    return entries.sum();
  }

  /** Forgets every row and count (between trials). */
  public void reset() {
    rows.clear();
    calls.reset();
    entries.reset();
  }

  private static void cost(int entryCount) {
    long nanos = CALL_NANOS + ENTRY_NANOS * entryCount;
    long deadline = System.nanoTime() + nanos;
    // parkNanos may wake early (spuriously); the cost is paid in full
    for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
