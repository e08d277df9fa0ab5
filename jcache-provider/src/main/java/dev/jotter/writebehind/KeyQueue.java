package dev.jotter.writebehind;

import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * The unconfirmed operations of one key, oldest first: with coalescing at most two (one with the
 * writer, one waiting behind it). Guarded by the buffer's lock, except {@link #latest}, which
 * readers follow without it.
 */
final class KeyQueue<K, V> {
  final ArrayDeque<Op<K, V>> ops = new ArrayDeque<>(2);
  /** The head is with the writer. */
  boolean inFlight;
  /** The newest operation: the key's pending state for reads. */
  volatile Op<K, V> latest;

  /** The queue of a key whose first unconfirmed operation is {@code first}. */
  KeyQueue(Op<K, V> first) {
    ops.addLast(first);
    latest = first;
  }

  /** The oldest operation; a key's queue is never empty (it goes when its last one finishes). */
  Op<K, V> head() {
    return ops.peekFirst();
  }

  void add(Op<K, V> op) {
    ops.addLast(op);
    latest = op;
  }

  /** The operation behind the head, or {@code null}. */
  @Nullable Op<K, V> second() {
    if (ops.size() < 2) {
      return null;
    }
    var it = ops.iterator();
    it.next();
    return it.next();
  }

  /** The newest operation if it has not been sent, so a new mutation may replace it. */
  @Nullable Op<K, V> waitingTail() {
    return (ops.size() > (inFlight ? 1 : 0)) ? ops.peekLast() : null;
  }
}
