package dev.jotter.writebehind;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;

/**
 * Runs what must not run under the buffer's lock — dead-letter handler calls and log lines — one
 * at a time, in the order the buffer queued them under its lock. Whichever thread finds the
 * notices undelivered after unlocking delivers them; the others return at once.
 */
final class Notices {
  private static final Logger logger = System.getLogger(Notices.class.getName());

  // guarded by this
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean delivering;

  synchronized void add(Runnable notice) {
    queue.add(notice);
  }

  /** Delivers the queued notices unless another thread is at it; never throws. */
  void deliver() {
    synchronized (this) {
      if (delivering || queue.isEmpty()) {
        return;
      }
      delivering = true;
    }
    for (;;) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          delivering = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        logger.log(Level.WARNING, "A write-behind notice failed (dead-letter handler or log)", e);
      }
    }
  }
}
