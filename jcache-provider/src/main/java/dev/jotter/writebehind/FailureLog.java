package dev.jotter.writebehind;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What write-behind tells the log about failures, in few lines whatever their number, and never a
 * value (keys and counts only): the meters count every failure.
 *
 * <ul>
 *   <li>A durable cache's start is one INFO line: operations replayed, dead letters found, and
 *       the torn tails and unreadable records its journal reported (then WARN).
 *   <li>A failure burst is two lines: one WARN at its first failed writer call (with the
 *       exception), one INFO with the counts when it ends — at a batch that fails nothing while no
 *       failed operation waits for its retry and no other batch is in flight. A database down for
 *       an hour does not flood the log.
 *   <li>A dead letter is one WARN when it is the first one waiting, DEBUG while others wait.
 *   <li>Dead letters that are full, and a dead letter the journal failed to take, are one ERROR
 *       each until room frees up: the operation stays pending meanwhile.
 *   <li>A discard is one WARN naming the keys: an operator dropped writes for good.
 *   <li>What closing could not write or keep is one line per kind, ERROR if it is lost and WARN
 *       if a journal keeps it; during JVM shutdown also on standard error (see {@link JvmShutdown}).
 * </ul>
 *
 * <p>Its state is guarded by the buffer's lock; it only ever queues lines on {@link Notices}.
 */
final class FailureLog<K, V> {
  // the buffer's name, which users configure logging by; spelled out, as the log serves the buffer
  private static final Logger logger =
      System.getLogger("dev.jotter.writebehind.WriteBehindBuffer");
  /** How many keys one line names at most. */
  static final int LOGGED_KEYS = 20;

  private final String cacheName;
  private final WriteBehindConfiguration config;
  private final boolean durable;
  // guarded by the buffer's lock
  private long burstFailedCalls;
  private long burstFailedOps;
  private long burstStartedAt;
  private long burstDeadLetteredBefore;
  private boolean fullReported;

  FailureLog(String cacheName, WriteBehindConfiguration config, boolean durable) {
    this.cacheName = cacheName;
    this.config = config;
    this.durable = durable;
  }

  /**
   * The one INFO line of a durable cache's start: what its journal gave back. Damage is named
   * here too (counts), beside the journal's own WARN/ERROR lines that say where it was.
   */
  void recovered(long operations, int pending, long deadLetterRecords, int deadLetters,
      long damaged, long unreadable, Notices notices) {
    String damage = (damaged == 0 && unreadable == 0) ? "no damage"
        : damaged + " damaged segment(s) (torn tails cut), " + unreadable
            + " unreadable record(s) skipped";
    String line = "Cache '" + cacheName + "' recovered its journal: " + operations
        + " operations replayed (" + pending + " pending after coalescing), " + deadLetters
        + " dead letters (" + deadLetterRecords + " records); " + damage;
    notices.add(() -> logger.log((damaged == 0 && unreadable == 0) ? Level.INFO
        : Level.WARNING, line));
  }

  /** After every batch. */
  void batch(BatchSender.Result<?, ?> result, boolean retriesWaiting, long deadLettered, long now,
      Notices notices) {
    if (result.failedCalls > 0) {
      if (burstFailedCalls == 0) {
        burstStartedAt = now;
        burstDeadLetteredBefore = deadLettered;
        int ops = result.failed.size();
        int calls = result.failedCalls;
        Throwable cause = result.firstCause;
        notices.add(() -> logger.log(Level.WARNING, "Writer of cache '" + cacheName
            + "' is failing: " + calls + " writer calls failed, " + ops + " operations to retry; "
            + "write-behind retries them with back-off. Further failures are counted, not logged, "
            + "until the writer recovers", cause));
      }
      burstFailedCalls += result.failedCalls;
      burstFailedOps += result.failed.size();
    } else if (burstFailedCalls > 0 && !retriesWaiting) {
      String line = "Writer of cache '" + cacheName + "' recovered after "
          + Duration.ofNanos(now - burstStartedAt) + ": " + burstFailedCalls
          + " failed writer calls, " + burstFailedOps + " failed operation attempts, "
          + (deadLettered - burstDeadLetteredBefore) + " operations dead-lettered";
      notices.add(() -> logger.log(Level.INFO, line));
      burstFailedCalls = 0;
      burstFailedOps = 0;
    }
  }

  /** A letter was added; {@code first}: no other letter waits. */
  void deadLettered(DeadLetter<K, V> letter, boolean first, Notices notices) {
    fullReported = false;
    if (first) {
      notices.add(() -> logger.log(Level.WARNING, "Write-behind of cache '" + cacheName
          + "' gave up " + letter + "; it is kept as a dead letter" + (durable
              ? " in the journal" : " in memory") + ". Further dead letters are logged at DEBUG "
          + "while letters wait; list, resubmit or discard them through JotterCache.deadLetters()"
          + " or JMX"));
    } else {
      notices.add(() -> logger.log(Level.DEBUG, () -> "Write-behind of cache '" + cacheName
          + "' gave up " + letter));
    }
  }

  void deadLettersFull(K key, int capacity, Notices notices) {
    if (!fullReported) {
      fullReported = true;
      notices.add(() -> logger.log(Level.ERROR, "Write-behind of cache '" + cacheName + "' holds "
          + capacity + " dead letters (maxDeadLetters): key " + key + " has spent its retry "
          + "budget but stays pending, retried every " + config.maxBackoff() + ", and so do "
          + "further ones (counted as deadLetterOverflow) until letters are resubmitted or "
          + "discarded"));
    }
  }

  void deadLetterNotJournaled(K key, @Nullable RuntimeException e, Notices notices) {
    notices.add(() -> logger.log(Level.ERROR, "Write-behind of cache '" + cacheName + "' could not "
        + "journal the dead letter of key " + key + "; the operation stays pending and is "
        + "retried every " + config.maxBackoff(), e));
  }

  void discarded(List<K> keys, Notices notices) {
    String line = "Write-behind of cache '" + cacheName + "': an operator discarded "
        + keys.size() + " dead letters, whose writes will never reach the writer: keys "
        + shown(keys);
    notices.add(() -> logger.log(Level.WARNING, line));
  }

  /** Reports what closing could not write; on the closing thread, outside the lock. */
  void closed(CloseReport<K> report) {
    if (report.unconfirmed() > 0) {
      report(durable ? Level.WARNING : Level.ERROR, "Write-behind of cache '" + cacheName
          + "' did not drain within " + config.drainTimeout() + ": " + report.unconfirmed()
          + " operations unconfirmed (" + (durable ? "kept in the journal for the next start"
              : "lost") + "), keys " + shown(report.unconfirmedKeys()));
    }
    if (report.deadLetters() > 0) {
      report(durable ? Level.WARNING : Level.ERROR, "Write-behind of cache '" + cacheName
          + "' closed with " + report.deadLetters() + " dead letters (" + (durable
              ? "kept in the journal for the next start" : "lost: a cache without a journal "
              + "keeps them in memory only") + "), keys " + shown(report.deadLetterKeys()));
    }
  }

  private static void report(Level level, String line) {
    logger.log(level, line);
    if (JvmShutdown.inProgress()) {
      // the logging framework may have stopped in its own shutdown hook: say it where it is seen
      System.err.println("jotter " + level.getName() + ": " + line);
    }
  }

  /** At most {@link #LOGGED_KEYS} keys, and how many more: one line of bounded length. */
  static String shown(List<?> keys) {
    return (keys.size() <= LOGGED_KEYS) ? keys.toString()
        : keys.subList(0, LOGGED_KEYS) + " and " + (keys.size() - LOGGED_KEYS) + " more";
  }
}
