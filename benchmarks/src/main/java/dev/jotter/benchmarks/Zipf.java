package dev.jotter.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Precomputed Zipf-distributed key indexes, so that the measured loop only reads an array.
 *
 * <p>Ranks follow Zipf's law with exponent {@link #EXPONENT} (YCSB's constant), drawn by inverse
 * transform over the exact cumulative distribution; ranks are then scrambled by a fixed random
 * permutation so that the hot keys are spread over the key space (and over hash buckets) rather than
 * being 0, 1, 2, ... Everything uses fixed seeds: every contender and every run sees the same
 * sequence.
 */
public final class Zipf {

  /** The Zipf exponent: YCSB's "zipfian constant". */
  public static final double EXPONENT = 0.99;

  private Zipf() {}

  /**
   * Returns {@code samples} indexes in {@code [0, items)}; {@code samples} must be a power of two so
   * that callers can wrap around with a mask.
   */
  public static int[] indexes(int items, int samples, long seed) {
    if (Integer.bitCount(samples) != 1) {
      throw new IllegalArgumentException("samples must be a power of two: " + samples);
    }
    double[] cumulative = new double[items];
    double sum = 0;
    for (int rank = 0; rank < items; rank++) {
      sum += 1.0 / Math.pow(rank + 1, EXPONENT);
      cumulative[rank] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] permutation = new int[items];
    for (int i = 0; i < items; i++) {
      permutation[i] = i;
    }
    for (int i = items - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = permutation[i];
      permutation[i] = permutation[j];
      permutation[j] = swap;
    }
    int[] indexes = new int[samples];
    for (int i = 0; i < samples; i++) {
      double target = random.nextDouble() * sum;
      int rank = Arrays.binarySearch(cumulative, target);
      rank = rank >= 0 ? rank : Math.min(-rank - 1, items - 1);
      indexes[i] = permutation[rank];
    }
    return indexes;
  }

  /** Returns {@code count} distinct boxed keys 0..count-1, allocated once (no boxing in the loop). */
  public static Integer[] boxedKeys(int count) {
    Integer[] keys = new Integer[count];
    for (int i = 0; i < count; i++) {
      keys[i] = i;
    }
    return keys;
  }
}
