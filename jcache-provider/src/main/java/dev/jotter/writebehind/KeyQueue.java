package dev.jotter.writebehind;

import java.util.ArrayDeque;

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

  Op<K, V> head() {
    return ops.peekFirst();
  }

  void add(Op<K, V> op) {
    ops.addLast(op);
    latest = op;
  }

  /** The operation behind the head, or {@code null}. */
  Op<K, V> second() {
    if (ops.size() < 2) {
      return null;
    }
    var it = ops.iterator();
    it.next();
    return it.next();
  }

  /** The newest operation if it has not been sent, so a new mutation may replace it. */
  Op<K, V> waitingTail() {
    return (ops.size() > (inFlight ? 1 : 0)) ? ops.peekLast() : null;
  }
}
