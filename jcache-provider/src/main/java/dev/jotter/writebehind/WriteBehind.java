package dev.jotter.writebehind;

import java.time.Duration;

/**
 * What an application or an operator can ask of one write-behind cache: flush, watch, look up a
 * key, handle dead letters. Reach it with {@code JotterCache.of(cache).writeBehind()}.
 *
 * <p>Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface WriteBehind<K, V> {

  /** The name of the cache. */
  String cacheName();

  /**
   * Waits at most {@code timeout} until every operation acknowledged before the call is written
   * or dead-lettered (contract clause 9), and says how they ended. Retries keep their back-off.
   */
  FlushResult flush(Duration timeout);

  /** A snapshot of the counters: pending operations, lag, written, retried, dead letters... */
  WriteBehindStatistics statistics();

  /** The operations whose retry budget is spent: list, resubmit, discard. */
  DeadLetters<K, V> deadLetters();

  /**
   * What write-behind knows about {@code key} now: its pending operation (waiting, being written
   * or waiting for a retry, with its attempts and last failure), its dead letter, or that the
   * writer has confirmed its newest state.
   */
  KeyStatus<K, V> status(K key);
}
