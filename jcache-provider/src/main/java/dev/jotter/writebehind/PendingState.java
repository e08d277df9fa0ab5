package dev.jotter.writebehind;

/**
 * The newest state of a key that the writer has not confirmed yet: the answer to a read when the
 * cache no longer holds the entry (contract clause 7).
 *
 * @param <V> the type of values
 */
public interface PendingState<V> {

  /** Whether the pending state is "absent". */
  boolean isDelete();

  /** The pending value, or {@code null} for a delete. */
  V value();
}
