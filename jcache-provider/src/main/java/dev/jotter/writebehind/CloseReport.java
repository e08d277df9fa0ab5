package dev.jotter.writebehind;

import java.util.List;

/**
 * What closing a buffer achieved (contract clause 9).
 *
 * @param drained whether every operation was confirmed or dead-lettered within the drain timeout
 * @param unconfirmed the number of operations left unconfirmed, in flight included (their outcome
 *     is unknown)
 * @param unconfirmedKeys the keys of those operations, oldest first
 * @param deadLetters the number of dead letters the cache held when it closed
 * @param deadLetterKeys their keys, oldest first
 * @param kept whether a journal keeps the unconfirmed operations and the dead letters for the
 *     next start; if not, they are lost
 * @param <K> the type of keys
 */
public record CloseReport<K>(boolean drained, long unconfirmed, List<K> unconfirmedKeys,
    long deadLetters, List<K> deadLetterKeys, boolean kept) {

  /** Copies the keys. */
  public CloseReport {
    unconfirmedKeys = List.copyOf(unconfirmedKeys);
    deadLetterKeys = List.copyOf(deadLetterKeys);
  }

  /** The operations and dead letters that closing lost: none when a journal keeps them. */
  public long lost() {
    return kept ? 0 : unconfirmed + deadLetters;
  }
}
