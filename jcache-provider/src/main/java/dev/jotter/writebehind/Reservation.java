package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;

/**
 * A ticket from {@link WriteBehindBuffer#reserve} for one mutation of one key. It carries the
 * outcome of the overflow policy into the cache's per-key section and back out to
 * {@link WriteBehindBuffer#release}. Confined to the mutating thread.
 */
public final class Reservation implements WriterRoute.Ticket {
  /** The buffer was full and the policy is WRITE_THROUGH: the mutation calls the writer. */
  final boolean writeThrough;
  /** A slot of maxPendingOperations is held and not yet used by an operation. */
  boolean holdsSlot;
  /** Whether something was appended to the journal, and the sequence to await. */
  boolean journaled;
  long sequence;

  Reservation(boolean writeThrough, boolean holdsSlot) {
    this.writeThrough = writeThrough;
    this.holdsSlot = holdsSlot;
  }

  /** Whether the mutation will be written synchronously because the buffer was full. */
  public boolean isWriteThrough() {
    return writeThrough;
  }
}
