package dev.jotter.writebehind;

/**
 * Observes every writer call of a buffer, for batch-size and latency meters. Called on the
 * flusher thread (or, for a write-through overflow, the mutating thread) right after the call;
 * it must be quick and must not throw.
 */
@FunctionalInterface
public interface WriteBehindListener {

  /** The listener that ignores everything. */
  WriteBehindListener NONE = (size, nanos, outcome) -> {};

  /**
   * One writer call finished.
   *
   * @param size the number of entries or keys passed to the writer
   * @param nanos how long the call took, by the buffer's ticker
   * @param outcome whether everything, part or nothing was written
   */
  void onBatch(int size, long nanos, Outcome outcome);

  /**
   * The writer confirmed one operation: {@code nanos} passed from the acknowledgement of the
   * oldest mutation it stands for to the confirmation (the "database sync delay" operators of
   * write-behind watch). Called on the flusher thread, after the buffer's lock is released.
   */
  default void onConfirmed(long nanos) {}

  /** How a writer call ended. */
  enum Outcome {
    /** Everything was written. */
    SUCCESS,
    /** The writer threw and left some entries in the collection: those failed. */
    PARTIAL_FAILURE,
    /** The writer threw without confirming anything. */
    FAILURE
  }
}
