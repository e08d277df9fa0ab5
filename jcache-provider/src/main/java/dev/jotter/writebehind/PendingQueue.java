package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The unconfirmed operations of one buffer and the order in which they leave. It has no threads
 * and no clock: every method takes the ticker time it should act at, so it is tested by calling
 * it. The buffer calls it under its lock; only {@link #pending} and {@link #waiting} may be called
 * without.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A key is in at most one batch at a time: a key whose head is with the writer is in none
 *       of the structures a batch is cut from, so later operations of the key wait behind it
 *       (contract clause 2), with any number of flusher threads.
 *   <li>A batch holds a key at most once and at most {@code batchSize} operations (clauses 3, 4).
 *   <li>Operations that never failed travel together; operations that failed before (suspects)
 *       travel only with other suspects, once their back-off is over. A key in back-off is in
 *       neither, so it never takes a batch's place from ready keys (clause 6).
 *   <li>Of the due batches, the one whose oldest operation is oldest leaves first, so neither
 *       fresh operations nor retries starve. A fresh batch is due when its oldest operation has
 *       waited {@code maxWriteDelay}, when {@code batchSize} fresh operations wait, or when a
 *       flush or close forces it.
 * </ul>
 *
 * <p>Structure: each key with unconfirmed operations has a {@link KeyQueue}. Each operation has
 * an {@code order}, its position in the queue, which coalescing keeps. Keys whose head may be
 * sent are in {@code fresh} or {@code suspects}, sorted by the head's order; suspects in back-off
 * are in {@code delayed}, sorted by retry time. {@code live} holds every unconfirmed operation in
 * order, which gives the oldest one (lag, flush barriers) in constant time.
 */
final class PendingQueue<K, V> {
  private final boolean coalescing;
  private final int batchSize;
  private final long maxWriteDelayNanos;

  /** Written under the buffer's lock; read without it by {@link #pending} and {@link #waiting}. */
  private final Map<K, KeyQueue<K, V>> keys = new ConcurrentHashMap<>();
  private final TreeMap<Long, KeyQueue<K, V>> fresh = new TreeMap<>();
  private final TreeMap<Long, KeyQueue<K, V>> suspects = new TreeMap<>();
  private final TreeMap<Op<K, V>, KeyQueue<K, V>> delayed = new TreeMap<>(
      Comparator.<Op<K, V>>comparingLong(op -> op.notBefore).thenComparingLong(op -> op.order));
  /**
   * Insertion order is order: a new operation takes the next, largest order, and one that stays
   * at its position (coalescing, a retry) keeps its place. A linked map then gives the oldest
   * operation as a sorted map would, with constant-time removal on the flusher's path.
   */
  private final LinkedHashMap<Long, Op<K, V>> live = new LinkedHashMap<>();
  private long nextOrder;

  PendingQueue(boolean coalescing, int batchSize, long maxWriteDelayNanos) {
    this.coalescing = coalescing;
    this.batchSize = batchSize;
    this.maxWriteDelayNanos = maxWriteDelayNanos;
  }

  /* ---------------- Reads, without the lock ---------------- */

  /** The newest unconfirmed state of a key, or {@code null}. */
  WriterRoute.@Nullable Pending<V> pending(K key) {
    KeyQueue<K, V> queue = keys.get(key);
    return (queue == null) ? null : queue.latest;
  }

  /** The key's newest operation if the flusher has not seized it; may change at once. */
  @Nullable Op<K, V> waiting(K key) {
    KeyQueue<K, V> queue = keys.get(key);
    Op<K, V> latest = (queue == null) ? null : queue.latest;
    return ((latest != null) && latest.isWaiting()) ? latest : null;
  }

  /* ---------------- Queueing ---------------- */

  /** The order the next new operation gets: a flush barrier. */
  long nextOrder() {
    return nextOrder;
  }

  /** The operation a new mutation of {@code key} would replace, or {@code null}. */
  @Nullable Op<K, V> coalescable(K key) {
    KeyQueue<K, V> queue = keys.get(key);
    return (coalescing && queue != null) ? queue.waitingTail() : null;
  }

  /** Whether the key has unconfirmed operations. */
  boolean contains(K key) {
    return keys.containsKey(key);
  }

  /**
   * Queues an operation ({@code value == null}: a delete), replacing the key's waiting one if
   * coalescing allows; the replaced one keeps its position and failure history.
   *
   * @return the operation that now holds the value, and whether it is new (needs a slot)
   */
  Op<K, V> offer(K key, @Nullable V value, long sequence, long now) {
    Op<K, V> tail = coalescable(key);
    if (tail != null) {
      tail.tryCoalesce(value); // cannot fail: seizing happens under the lock we hold
      tail.sequence = sequence;
      return tail;
    }
    Op<K, V> op = new Op<>(key, value, sequence, nextOrder++, now);
    KeyQueue<K, V> queue = keys.get(key);
    if (queue == null) {
      queue = new KeyQueue<>(op);
      keys.put(key, queue);
    } else {
      queue.add(op);
    }
    live.put(op.order, op);
    if (queue.ops.size() == 1) {
      place(queue, now);
    }
    return op;
  }

  /** The queue of a key, or {@code null}. */
  @Nullable KeyQueue<K, V> queue(K key) {
    return keys.get(key);
  }

  /* ---------------- Batches ---------------- */

  /**
   * Cuts the batch that should leave now, if any: its keys go in flight and their values are
   * frozen. Returns an empty list when nothing is due.
   *
   * @param forceBefore fresh operations ordered before this are due at once (flush, close)
   * @param limit the most operations to take, at most {@code batchSize} (1 for a probe)
   */
  List<Op<K, V>> cut(long now, long forceBefore, int limit) {
    promote(now);
    Map.Entry<Long, KeyQueue<K, V>> oldestFresh = fresh.firstEntry();
    Map.Entry<Long, KeyQueue<K, V>> oldestSuspect = suspects.firstEntry();
    boolean freshDue = (oldestFresh != null) && isDue(oldestFresh.getValue().head(), now, forceBefore);
    if (!freshDue && oldestSuspect == null) {
      return List.of();
    }
    TreeMap<Long, KeyQueue<K, V>> from = (freshDue
        && (oldestSuspect == null || oldestFresh.getKey() < oldestSuspect.getKey()))
        ? fresh : suspects;
    int size = Math.min(limit, batchSize);
    List<Op<K, V>> batch = new ArrayList<>(Math.min(size, from.size()));
    for (Iterator<KeyQueue<K, V>> it = from.values().iterator();
        it.hasNext() && batch.size() < size;) {
      KeyQueue<K, V> queue = it.next();
      it.remove();
      queue.inFlight = true;
      Op<K, V> head = queue.head();
      head.seize(); // the value the writer gets; later mutations queue behind it
      batch.add(head);
    }
    return batch;
  }

  /**
   * The ticker time at which {@link #cut} would next return a batch, ignoring the flusher's
   * pause: {@code now} or earlier if one is due, {@link Long#MAX_VALUE} if nothing waits.
   */
  long nextDueAt(long now, long forceBefore) {
    long next = Long.MAX_VALUE;
    if (!suspects.isEmpty()) {
      return now;
    }
    if (!fresh.isEmpty()) {
      Op<K, V> head = fresh.firstEntry().getValue().head();
      next = isDue(head, now, forceBefore) ? now : head.enqueuedAt + maxWriteDelayNanos;
    }
    if (!delayed.isEmpty()) {
      next = Math.min(next, delayed.firstKey().notBefore);
    }
    return next;
  }

  private boolean isDue(Op<K, V> head, long now, long forceBefore) {
    return (head.order < forceBefore) || (fresh.size() >= batchSize)
        || (now - head.enqueuedAt >= maxWriteDelayNanos);
  }

  /** Moves suspects whose back-off is over to where batches are cut from. */
  private void promote(long now) {
    for (Map.Entry<Op<K, V>, KeyQueue<K, V>> e = delayed.firstEntry();
        (e != null) && (e.getKey().notBefore <= now); e = delayed.firstEntry()) {
      delayed.pollFirstEntry();
      suspects.put(e.getKey().order, e.getValue());
    }
  }

  /* ---------------- Outcomes of operations in flight ---------------- */

  /**
   * The head of its key is done (written, dead-lettered, superseded or given up): it leaves, and
   * the key's next operation, if any, may be sent.
   */
  void finish(Op<K, V> op, long now) {
    KeyQueue<K, V> queue = queueOf(op);
    queue.ops.pollFirst();
    queue.inFlight = false;
    live.remove(op.order);
    if (queue.ops.isEmpty()) {
      keys.remove(op.key);
    } else {
      queue.latest = queue.ops.peekLast();
      place(queue, now);
    }
  }

  /** The head of its key failed and waits for a retry at {@code op.notBefore}. */
  void retry(Op<K, V> op, long now) {
    KeyQueue<K, V> queue = queueOf(op);
    queue.inFlight = false;
    op.release();
    place(queue, now);
  }

  /** The head of its key was not sent after all: back where it was, nothing recorded. */
  void unsent(Op<K, V> op, long now) {
    retry(op, now);
  }

  /**
   * Removes every operation of a key that is not in flight; for recovery, when a journal's dead
   * letter turns out newer than the key's pending records.
   *
   * @return the removed operations
   */
  List<Op<K, V>> discard(K key) {
    KeyQueue<K, V> queue = keys.get(key);
    if (queue == null || queue.inFlight) {
      return List.of();
    }
    unplace(queue);
    List<Op<K, V>> removed = new ArrayList<>(queue.ops);
    removed.forEach(op -> live.remove(op.order));
    keys.remove(key);
    return removed;
  }

  private void unplace(KeyQueue<K, V> queue) {
    Op<K, V> head = queue.head();
    if (fresh.remove(head.order) == null && suspects.remove(head.order) == null) {
      delayed.remove(head);
    }
  }

  /** The operation waiting behind the head {@code op}, or {@code null}. */
  @Nullable Op<K, V> successor(Op<K, V> op) {
    return queueOf(op).second();
  }

  /** The queue of an operation that has not finished: its key's queue exists until then. */
  private KeyQueue<K, V> queueOf(Op<K, V> op) {
    return Objects.requireNonNull(keys.get(op.key), "no queue for the unfinished operation");
  }

  /** Puts a key whose head is not in flight where batches are cut from. */
  private void place(KeyQueue<K, V> queue, long now) {
    Op<K, V> head = queue.head();
    if (!head.isSuspect()) {
      fresh.put(head.order, queue);
    } else if (head.notBefore > now) {
      delayed.put(head, queue);
    } else {
      suspects.put(head.order, queue);
    }
  }

  /* ---------------- The whole ---------------- */

  /** Whether a failed operation waits for its retry (in back-off or due). */
  boolean hasRetries() {
    return !delayed.isEmpty() || !suspects.isEmpty();
  }

  /** Whether no operation is unconfirmed. */
  boolean isEmpty() {
    return live.isEmpty();
  }

  /** The number of unconfirmed operations, in flight included. */
  int size() {
    return live.size();
  }

  /** The oldest unconfirmed operation, or {@code null}. */
  @Nullable Op<K, V> oldest() {
    return live.isEmpty() ? null : live.values().iterator().next();
  }

  /** Whether every operation ordered before {@code barrier} has left. */
  boolean flushedBefore(long barrier) {
    Op<K, V> oldest = oldest();
    return oldest == null || oldest.order >= barrier;
  }

  /** The unconfirmed operations, oldest first. */
  Collection<Op<K, V>> live() {
    return live.values();
  }
}
