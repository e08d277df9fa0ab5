package dev.jotter.journal;

import static java.util.Objects.requireNonNull;

/**
 * An unfinished operation read back from a journal.
 *
 * @param sequence the sequence number it was appended with
 * @param key the key
 * @param value the written value, or {@code null} for a delete
 */
public record JournalRecord<K, V>(long sequence, K key, V value) {

  /** Checks the key. */
  public JournalRecord {
    requireNonNull(key, "key");
  }

  /** Whether this record is a delete. */
  public boolean isDelete() {
    return value == null;
  }
}
