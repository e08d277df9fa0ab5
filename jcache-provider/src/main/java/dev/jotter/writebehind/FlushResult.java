package dev.jotter.writebehind;

import java.time.Duration;

/**
 * How a flush ended, counted over the operations acknowledged before it was called (contract
 * clause 9): what the writer confirmed, what was dead-lettered, what a newer mutation superseded
 * before it was written, and what was still pending when the flush stopped waiting.
 *
 * @param completed whether none of those operations is pending any more
 * @param written operations the writer confirmed during the flush
 * @param deadLettered operations whose retry budget was spent during the flush
 * @param superseded operations replaced by a newer mutation of their key (made after the flush
 *     began) while they failed; the newer one decides the key's final state
 * @param pending operations still unconfirmed when the flush returned: zero if {@code completed}
 * @param waited how long the flush waited
 */
public record FlushResult(boolean completed, long written, long deadLettered, long superseded,
    long pending, Duration waited) {

  /** The result of a flush that had nothing to wait for. */
  public static final FlushResult NOTHING_PENDING = new FlushResult(true, 0, 0, 0, 0, Duration.ZERO);

  /** Whether the flush completed and dead-lettered nothing: everything reached the writer. */
  public boolean allWritten() {
    return completed && deadLettered == 0;
  }
}
