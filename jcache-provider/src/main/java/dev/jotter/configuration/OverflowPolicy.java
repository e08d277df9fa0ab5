package dev.jotter.configuration;

/** What a mutation does when the write-behind buffer already holds {@code maxPendingOperations}. */
public enum OverflowPolicy {
  /** Wait up to {@code blockTimeout} for a free slot, then fail the mutation. */
  BLOCK,
  /** Fail the mutation at once. */
  FAIL,
  /** Call the writer synchronously, as a write-through cache would. */
  WRITE_THROUGH
}
