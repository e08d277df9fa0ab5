package dev.jotter.writebehind;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The dead letters of one write-behind cache, for operators: the operations whose retry budget is
 * spent (contract clause 6). Reach it with {@code JotterCache.of(cache).deadLetters()}.
 *
 * <ul>
 *   <li>Each key has at most one letter, its newest given-up operation; letters are listed oldest
 *       first.
 *   <li>A cache with a journal keeps its letters there: they survive a restart or a crash and are
 *       listed again after it. A cache without one ({@code durability NONE}) keeps them in memory;
 *       closing it reports them as lost.
 *   <li>At most {@code maxDeadLetters} letters are kept. When that many wait, a further operation
 *       whose budget is spent is not dropped: it stays pending, retried every {@code maxBackoff},
 *       and is counted ({@link WriteBehindStatistics#deadLetterOverflow()}), until room frees up.
 *   <li>A letter leaves only by a newer mutation of its key (which supersedes it), a resubmission,
 *       or an explicit {@link #discard discard}, which is counted and logged.
 * </ul>
 *
 * <p>Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface DeadLetters<K, V> {

  /** The number of letters kept. */
  int size();

  /** The most letters kept ({@code maxDeadLetters}). */
  int capacity();

  /**
   * Returns a page of the letters, oldest first.
   *
   * @param offset how many letters to skip, at least 0
   * @param limit the most letters to return, at least 0
   * @throws IllegalArgumentException if {@code offset} or {@code limit} is negative
   */
  List<DeadLetter<K, V>> list(int offset, int limit);

  /** Returns every letter, oldest first. */
  default List<DeadLetter<K, V>> list() {
    return list(0, Integer.MAX_VALUE);
  }

  /** Returns the letter of {@code key}, if it has one. */
  Optional<DeadLetter<K, V>> get(K key);

  /**
   * Queues every letter again with a fresh retry budget (say, once the database is fixed), all of
   * them even beyond {@code maxPendingOperations}: the letters' values are held already, and new
   * mutations meet the overflow policy until the backlog is under the bound again. Once the cache
   * is closing nothing is queued and the letters stay.
   *
   * @return the number of letters queued
   */
  int resubmitAll();

  /** Like {@link #resubmitAll()}, for the letters of {@code keys}; keys without one are ignored. */
  int resubmit(Collection<? extends K> keys);

  /**
   * Drops every letter for good: their writes will never reach the writer. An operator's act,
   * counted ({@link WriteBehindStatistics#deadLettersDiscarded()}) and logged with the keys.
   *
   * @return the number of letters dropped
   */
  int discardAll();

  /** Like {@link #discardAll()}, for the letters of {@code keys}; keys without one are ignored. */
  int discard(Collection<? extends K> keys);
}
