package dev.jotter.writebehind;

/**
 * Hears about dead letters as they come and go, to alert someone or to copy them elsewhere
 * (contract clause 6). The letters themselves stay with the cache's {@link DeadLetters} whatever
 * the handler does; a handler that copied a letter to a system of its own can
 * {@linkplain DeadLetters#discard discard} it there.
 *
 * <p>Calls are made outside the buffer's locks, one at a time and in the order the events
 * happened, on a flusher thread or the thread whose mutation superseded a letter. A handler that
 * throws is logged and does not change what happened to the letter.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface DeadLetterHandler<K, V> {

  /** An operation's retry budget is spent; it is now a dead letter. */
  void deadLettered(DeadLetter<K, V> letter);

  /**
   * A newer mutation of {@code key} arrived, so the key's dead letter is stale (writing it now
   * would travel back in time) and is gone.
   */
  default void superseded(K key) {}

  /** The handler that does nothing. */
  @SuppressWarnings("unchecked")
  static <K, V> DeadLetterHandler<K, V> none() {
    return (DeadLetterHandler<K, V>) NoHandler.INSTANCE;
  }

  /** See {@link #none()}. */
  enum NoHandler implements DeadLetterHandler<Object, Object> {
    /** The only instance. */
    INSTANCE;

    @Override
    public void deadLettered(DeadLetter<Object, Object> letter) {}
  }
}
