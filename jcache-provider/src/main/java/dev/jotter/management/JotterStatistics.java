package dev.jotter.management;

import java.util.concurrent.atomic.LongAdder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * The standard JCache statistics of one cache, exported to JMX as
 * {@code javax.cache:type=CacheStatistics,...}, where Micrometer's {@code JCacheMetrics} reads them.
 *
 * <p>Counting happens only while statistics are enabled; the counters are {@link LongAdder}s so that
 * counting does not make threads contend. Average times are in microseconds, as the specification
 * says.
 */
public final class JotterStatistics implements CacheStatisticsMXBean {

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder getNanos = new LongAdder();
  private final LongAdder putNanos = new LongAdder();
  private final LongAdder removeNanos = new LongAdder();
  private volatile boolean enabled;

  /** Returns whether operations are counted. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Turns counting on or off; the counts are kept either way. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Counts cache hits. */
  public void recordHits(long count) {
    if (enabled) {
      hits.add(count);
    }
  }

  /** Counts cache misses. */
  public void recordMisses(long count) {
    if (enabled) {
      misses.add(count);
    }
  }

  /** Counts puts, including updates. */
  public void recordPuts(long count) {
    if (enabled) {
      puts.add(count);
    }
  }

  /** Counts removals of entries that existed. */
  public void recordRemovals(long count) {
    if (enabled) {
      removals.add(count);
    }
  }

  /** Counts entries removed by expiry or capacity. */
  public void recordEvictions(long count) {
    if (enabled) {
      evictions.add(count);
    }
  }

  /** Adds the time spent in a get-like operation. */
  public void recordGetTime(long nanos) {
    if (enabled) {
      getNanos.add(nanos);
    }
  }

  /** Adds the time spent in a put-like operation. */
  public void recordPutTime(long nanos) {
    if (enabled) {
      putNanos.add(nanos);
    }
  }

  /** Adds the time spent in a remove-like operation. */
  public void recordRemoveTime(long nanos) {
    if (enabled) {
      removeNanos.add(nanos);
    }
  }

  @Override
  public void clear() {
    for (LongAdder adder : new LongAdder[] {
        hits, misses, puts, removals, evictions, getNanos, putNanos, removeNanos}) {
      adder.reset();
    }
  }

  @Override
  public long getCacheHits() {
    return hits.sum();
  }

  @Override
  public float getCacheHitPercentage() {
    long hitCount = getCacheHits();
    long gets = hitCount + getCacheMisses();
    return gets == 0 ? 0f : 100f * hitCount / gets;
  }

  @Override
  public long getCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getCacheMissPercentage() {
    long missCount = getCacheMisses();
    long gets = missCount + getCacheHits();
    return gets == 0 ? 0f : 100f * missCount / gets;
  }

  @Override
  public long getCacheGets() {
    return getCacheHits() + getCacheMisses();
  }

  @Override
  public long getCachePuts() {
    return puts.sum();
  }

  @Override
  public long getCacheRemovals() {
    return removals.sum();
  }

  @Override
  public long getCacheEvictions() {
    return evictions.sum();
  }

  @Override
  public float getAverageGetTime() {
    return averageMicros(getNanos.sum(), getCacheGets());
  }

  @Override
  public float getAveragePutTime() {
    return averageMicros(putNanos.sum(), getCachePuts());
  }

  @Override
  public float getAverageRemoveTime() {
    return averageMicros(removeNanos.sum(), getCacheRemovals());
  }

  private static float averageMicros(long totalNanos, long count) {
    return count == 0 ? 0f : (totalNanos / 1_000f) / count;
  }
}
