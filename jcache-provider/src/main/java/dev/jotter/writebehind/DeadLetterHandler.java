package dev.jotter.writebehind;

/**
 * Receives the operations that the writer failed to write within the retry limits (contract
 * clause 6). {@link DeadLetterQueue} is the default; implement this interface to alert or to
 * persist dead letters elsewhere.
 *
 * <p>For one key, {@code deadLettered} and {@code superseded} are called in the order the
 * events happen, and a key's next operation is not sent before {@code deadLettered} returns.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface DeadLetterHandler<K, V> {

  /** An operation was given up; called on a flusher thread, outside the buffer's locks. */
  void deadLettered(DeadLetter<K, V> letter);

  /**
   * A newer mutation of {@code key} arrived, so the key's dead letter is stale: writing it now
   * would travel back in time. Called under the buffer's queue lock to order it with
   * resubmissions, so it must be quick (a map removal) and must not block.
   */
  default void superseded(K key) {}
}
