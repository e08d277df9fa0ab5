package dev.jotter.writebehind;

import dev.jotter.configuration.WriteBehindConfiguration;

/**
 * Exponential back-off with jitter: attempt n waits {@code initial * multiplier^(n-1)}, capped at
 * {@code maxBackoff}, spread by ±{@code jitter} so that failed operations do not retry in lockstep.
 * Public so that a {@link WriteBehindLog} of another module retries like the buffer does.
 */
public final class Backoff {
  private final double initialNanos;
  private final double maxNanos;
  private final double multiplier;
  private final double jitter;

  /**
   * Takes the back-off settings of a cache.
   *
   * @param config the cache's write-behind settings ({@code initialBackoff}, {@code maxBackoff},
   *     {@code backoffMultiplier}, {@code jitter})
   */
  public Backoff(WriteBehindConfiguration config) {
    this.initialNanos = config.initialBackoff().toNanos();
    this.maxNanos = config.maxBackoff().toNanos();
    this.multiplier = config.backoffMultiplier();
    this.jitter = config.jitter();
  }

  /**
   * Returns the delay before attempt {@code failures + 1}.
   *
   * @param failures the failed attempts so far, at least 1
   * @param random uniformly distributed in [0, 1)
   * @return the delay in nanoseconds, at most {@code maxBackoff}
   */
  public long delayNanos(int failures, double random) {
    // doubles saturate to infinity instead of overflowing, and min() brings that back to the cap
    double base = Math.min(maxNanos, initialNanos * Math.pow(multiplier, failures - 1));
    double spread = base * jitter * (2 * random - 1);
    return (long) Math.min(maxNanos, base + spread);
  }
}
