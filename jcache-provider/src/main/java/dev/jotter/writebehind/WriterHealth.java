package dev.jotter.writebehind;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tells a writer that is down from keys that are poison, and paces the flusher while it is down
 * (contract clause 6).
 *
 * <p>A writer call that fails as a whole is ambiguous: the database may be down, or one of the
 * batch's entries may be poison. The buffer splits such a call to find out ({@link BatchSender});
 * this class decides when splitting must stop because the evidence says "down":
 * <ul>
 *   <li><b>Evidence</b> is a whole failure of a call that holds at least one operation that never
 *       failed before. Retries of suspects failing again say nothing new about the writer.
 *   <li>The writer is <b>down</b> when the last {@value #WINDOW} pieces of evidence (with no
 *       successful write among them) concern pairwise disjoint sets of keys: nothing was written
 *       across several distinct keys in a row. Poison cannot cause this unless at least
 *       {@value #WINDOW} poison keys fail side by side: while the buffer splits a batch, every
 *       failing part holds one of its poison keys, and parts that hold none succeed and reset the
 *       window.
 *   <li>While down, the flusher sends one operation per pause (a probe), the pause growing by the
 *       configured back-off after every failed probe; a failed probe's operation waits for its own
 *       back-off, so the next probe is another one and a poison key cannot keep the flusher
 *       paused. The first call that writes anything ends it.
 * </ul>
 *
 * <p>Thread-safe: flusher threads report to it concurrently.
 */
final class WriterHealth {
  /** How many pieces of evidence with pairwise disjoint keys make a writer down. */
  static final int WINDOW = 3;

  private final Backoff backoff;
  // guarded by this
  private final ArrayDeque<Set<Object>> evidence = new ArrayDeque<>(WINDOW);
  private boolean down;
  private int failedProbes;
  private long pausedUntil = Long.MIN_VALUE;
  private long failingSince = Op.NEVER;

  WriterHealth(Backoff backoff) {
    this.backoff = backoff;
  }

  /** A call wrote at least one operation (a partial failure too): the writer works. */
  synchronized void onProgress() {
    evidence.clear();
    down = false;
    failedProbes = 0;
    pausedUntil = Long.MIN_VALUE;
    failingSince = Op.NEVER;
  }

  /**
   * A call of these operations wrote nothing.
   *
   * @return whether the writer is down, in which case the call must not be split
   */
  synchronized boolean onWholeFailure(List<? extends Op<?, ?>> ops, long now) {
    if (failingSince == Op.NEVER) {
      failingSince = now;
    }
    if (down) {
      failedProbes++;
      pausedUntil = now + backoff.delayNanos(failedProbes, ThreadLocalRandom.current().nextDouble());
      return true;
    }
    boolean fresh = false;
    for (Op<?, ?> op : ops) {
      if (!op.isSuspect()) {
        fresh = true;
        break;
      }
    }
    if (!fresh) {
      return false;
    }
    Set<Object> keys = new HashSet<>(ops.size() * 2);
    for (Op<?, ?> op : ops) {
      keys.add(op.key);
    }
    if (evidence.size() == WINDOW) {
      evidence.pollFirst();
    }
    evidence.addLast(keys);
    if (evidence.size() == WINDOW && pairwiseDisjoint()) {
      down = true;
      failedProbes = 1;
      evidence.clear();
      pausedUntil = now + backoff.delayNanos(1, ThreadLocalRandom.current().nextDouble());
      return true;
    }
    return false;
  }

  private boolean pairwiseDisjoint() {
    Set<Object>[] sets = evidence.toArray(new Set[0]);
    for (int i = 0; i < sets.length; i++) {
      for (int j = i + 1; j < sets.length; j++) {
        if (!Collections.disjoint(sets[i], sets[j])) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether the writer is judged down. */
  synchronized boolean isDown() {
    return down;
  }

  /** The ticker time before which no batch may leave; {@link Long#MIN_VALUE} when none. */
  synchronized long pausedUntil() {
    return pausedUntil;
  }

  /**
   * Since when writer calls have written nothing (by the ticker), or {@link Op#NEVER} if the last
   * call wrote something.
   */
  synchronized long failingSince() {
    return failingSince;
  }
}
