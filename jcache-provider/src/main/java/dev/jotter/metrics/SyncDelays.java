package dev.jotter.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The recent "database sync delay" of one write-behind cache: for each operation the writer
 * confirmed, how long it had waited since its acknowledgement. Kept without Micrometer, in
 * log-scale buckets (each about 19% wide) over a sliding window of one to two minutes, so that
 * health checks and operator endpoints can show percentiles of the last minute and not of the
 * cache's whole life.
 *
 * <p>Thread-safe and lock-free: {@link #record} is one array increment on the flusher thread.
 */
public final class SyncDelays {
  /** 2^(1/4): four buckets per doubling. */
  private static final double GROWTH = Math.pow(2, 0.25);
  /** Bucket 0 holds everything up to 1 µs; the last, everything beyond about 9 minutes. */
  private static final int BUCKETS = 4 * 30;
  private static final long FIRST_BOUND_NANOS = 1_000;
  private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();

  private final LongSupplier nanoTime;
  private final AtomicLongArray[] windows = {new AtomicLongArray(BUCKETS), new AtomicLongArray(BUCKETS)};
  private final AtomicLong windowStart;
  private volatile int current;

  /** @param nanoTime the time source of the window, in nanoseconds (the cache's ticker) */
  SyncDelays(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.windowStart = new AtomicLong(nanoTime.getAsLong());
  }

  /** Records one confirmed operation that waited {@code nanos}. */
  public void record(long nanos) {
    rotateIfDue();
    windows[current].incrementAndGet(bucket(nanos));
  }

  /** Percentiles of what was recorded in the last one to two minutes. */
  public Snapshot snapshot() {
    rotateIfDue();
    long[] counts = new long[BUCKETS];
    long total = 0;
    for (AtomicLongArray window : windows) {
      for (int i = 0; i < BUCKETS; i++) {
        long c = window.get(i);
        counts[i] += c;
        total += c;
      }
    }
    return new Snapshot(total, quantile(counts, total, 0.5), quantile(counts, total, 0.99),
        quantile(counts, total, 1.0));
  }

  private void rotateIfDue() {
    long start = windowStart.get();
    long now = nanoTime.getAsLong();
    if (now - start >= WINDOW_NANOS && windowStart.compareAndSet(start, now)) {
      int next = 1 - current;
      AtomicLongArray stale = windows[next];
      for (int i = 0; i < BUCKETS; i++) {
        stale.set(i, 0);
      }
      current = next;
    }
  }

  static int bucket(long nanos) {
    if (nanos <= FIRST_BOUND_NANOS) {
      return 0;
    }
    int b = 1 + (int) (Math.log((double) nanos / FIRST_BOUND_NANOS) / Math.log(GROWTH));
    return Math.min(b, BUCKETS - 1);
  }

  /** The upper bound of bucket {@code b}: a percentile is reported as its bucket's bound. */
  static long upperBound(int b) {
    return (long) (FIRST_BOUND_NANOS * Math.pow(GROWTH, b));
  }

  private static Duration quantile(long[] counts, long total, double q) {
    if (total == 0) {
      return Duration.ZERO;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Duration.ofNanos(upperBound(i));
      }
    }
    return Duration.ofNanos(upperBound(counts.length - 1));
  }

  /**
   * The recent sync delay. Each figure is the upper bound of its log-scale bucket, so it errs
   * high by at most about 19%.
   *
   * @param count confirmed operations in the window
   * @param median half of them waited at most this long
   * @param p99 99% of them waited at most this long
   * @param max the longest wait
   */
  public record Snapshot(long count, Duration median, Duration p99, Duration max) {}
}
