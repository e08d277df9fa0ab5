package dev.jotter.journal;

import org.jspecify.annotations.Nullable;
import static java.util.Objects.requireNonNull;

/**
 * An unfinished operation read back from a journal: pending, or a dead letter.
 *
 * @param sequence the sequence number it was appended with
 * @param key the key
 * @param value the written value, or {@code null} for a delete
 * @param dead why it was given up, if it is a dead letter; {@code null} if it is pending
 */
public record JournalRecord<K, V>(long sequence, K key, @Nullable V value,
    @Nullable DeadMark dead) {

  /** Checks the key. */
  public JournalRecord {
    requireNonNull(key, "key");
  }

  /** A pending operation. */
  public JournalRecord(long sequence, K key, @Nullable V value) {
    this(sequence, key, value, null);
  }

  /** Whether this record is a delete. */
  public boolean isDelete() {
    return value == null;
  }

  /** Whether this record is a dead letter. */
  public boolean isDeadLetter() {
    return dead != null;
  }
}
