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
