package dev.jotter.writebehind;

import java.util.List;

/**
 * What closing a buffer achieved.
 *
 * @param drained whether every operation was confirmed or dead-lettered within the drain timeout
 * @param lost the number of operations left unconfirmed, in flight included (their outcome is
 *     unknown); they stay in the journal of a durable cache
 * @param lostKeys the keys of those operations, oldest first
 * @param <K> the type of keys
 */
public record CloseReport<K>(boolean drained, long lost, List<K> lostKeys) {

  /** Copies the keys. */
  public CloseReport {
    lostKeys = List.copyOf(lostKeys);
  }
}
