package dev.jotter.journal;

import dev.jotter.configuration.Ticker;
import java.lang.System.Logger.Level;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The background thread of a journal: {@code ASYNC}'s periodic force (in {@code SYNC} mode it
 * forces DONE marks that no caller waits for) and {@link Maintenance}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>While there is something to force, a force starts at most {@code syncInterval} after the
 *       previous one started (measured on the injected {@link Ticker}); nothing is forced while
 *       nothing changed, and the thread then parks until woken.
 *   <li>A wake-up ({@link #wake}, {@link #requestMaintenance}) is never lost: the flags are read
 *       again just before parking.
 *   <li>A failure of one round is logged and the thread goes on after a pause (at least 100 ms),
 *       so a failed journal keeps its maintenance without spinning; a failed journal itself
 *       refuses to force again.
 *   <li>{@link #stop} returns once the thread has ended; the thread comes from the injected
 *       {@link ThreadFactory} (a daemon by default: pending operations are the journal's to keep,
 *       not the thread's to keep the JVM alive for).
 * </ul>
 */
final class JournalThread {
  private static final System.Logger LOG = System.getLogger(JournalFiles.LOGGER);

  /** What the thread does for its journal. */
  interface Work {
    /** Whether something was appended since the last force (and the journal can force). */
    boolean isDirty();

    /** Forces unless a force runs right now. */
    void force();

    /** Deletes and, if {@code compact}, compacts (see {@link Maintenance}). */
    void maintain(boolean compact);
  }

  private final String description;
  private final Ticker ticker;
  private final long intervalNanos;
  private final Work work;
  /** The journal thread, or null if the journal has none. */
  private final @Nullable Thread thread;
  private volatile boolean stopping;
  private volatile boolean maintenanceRequested = true;
  private volatile boolean compactionRequested;
  private volatile long lastForceStart;

  /**
   * @param description names the journal in log lines
   * @param threads makes the thread; {@code null} for none (tests force and maintain by hand)
   */
  JournalThread(String description, @Nullable ThreadFactory threads, Ticker ticker,
      long intervalNanos, Work work) {
    this.description = description;
    this.ticker = ticker;
    this.intervalNanos = intervalNanos;
    this.work = work;
    this.thread = (threads == null) ? null : threads.newThread(this::run);
  }

  /** A daemon thread named {@code name}. */
  static ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  void start() {
    lastForceStart = ticker.read(); // the first periodic force comes one interval after start
    if (thread != null) {
      thread.start();
    }
  }

  /** A force is starting now; the next periodic one is due an interval later. */
  void forceStarted() {
    lastForceStart = ticker.read();
  }

  /** Something was appended: a force will be due. */
  void wake() {
    LockSupport.unpark(thread); // null-safe: no thread, nothing to wake
  }

  /** Asks for a maintenance round; with compaction after a segment rolled. */
  void requestMaintenance(boolean compact) {
    if (compact) {
      compactionRequested = true;
    }
    maintenanceRequested = true;
    LockSupport.unpark(thread);
  }

  /** Stops the thread and waits for it to end; keeps the caller's interrupt status. */
  void stop() {
    stopping = true;
    LockSupport.unpark(thread);
    boolean interrupted = false;
    while (thread != null && thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The thread, or {@code null}; for tests. */
  @Nullable Thread thread() {
    return thread;
  }

  private void run() {
    while (!stopping) {
      try {
        if (maintenanceRequested) {
          maintenanceRequested = false;
          boolean compact = compactionRequested;
          compactionRequested = false;
          work.maintain(compact);
        }
        if (work.isDirty()) {
          long wait = lastForceStart + intervalNanos - ticker.read();
          if (wait > 0) {
            // re-read just before parking: a lock taken above may have eaten the unpark
            if (!stopping && !maintenanceRequested) {
              LockSupport.parkNanos(this, wait);
            }
            continue;
          }
          work.force();
        } else if (!stopping && !maintenanceRequested) {
          LockSupport.park(this);
        }
      } catch (RuntimeException e) {
        if (!stopping) {
          LOG.log(Level.ERROR, "The journal thread of " + description + " failed", e);
          // a failed journal throws to its callers; keep maintenance alive but do not spin
          LockSupport.parkNanos(this, Math.max(intervalNanos, TimeUnit.MILLISECONDS.toNanos(100)));
        }
      }
    }
  }
}
