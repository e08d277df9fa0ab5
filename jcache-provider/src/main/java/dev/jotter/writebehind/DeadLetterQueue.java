package dev.jotter.writebehind;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default {@link DeadLetterHandler}: keeps the newest dead letter of each key, in arrival
 * order, so that they can be inspected and {@linkplain #resubmit() resubmitted}.
 *
 * <ul>
 *   <li>Bounded: beyond {@code capacity} letters the oldest is discarded and counted, with one
 *       ERROR per burst of discards, because discarding a letter loses its write for good.
 *   <li>Logs one WARN when the queue turns non-empty, not one per letter, so that a database
 *       outage does not flood the log; the rest of the burst is logged at DEBUG.
 *   <li>A newer mutation of a key removes the key's letter ({@link #superseded}).
 * </ul>
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class DeadLetterQueue<K, V> implements DeadLetterHandler<K, V> {
  /** The capacity of {@link #DeadLetterQueue()}. */
  public static final int DEFAULT_CAPACITY = 10_000;
  private static final Logger logger = System.getLogger(DeadLetterQueue.class.getName());

  private final int capacity;
  // guarded by this; insertion order is arrival order because keys are removed before re-insertion
  private final Map<K, DeadLetter<K, V>> letters = new LinkedHashMap<>();
  private long received;
  private long discarded;
  private boolean warned;
  private boolean discardReported;

  /** Creates a queue that keeps at most {@value #DEFAULT_CAPACITY} letters. */
  public DeadLetterQueue() {
    this(DEFAULT_CAPACITY);
  }

  /** Creates a queue that keeps at most {@code capacity} letters. */
  public DeadLetterQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized void deadLettered(DeadLetter<K, V> letter) {
    received++;
    letters.remove(letter.key());
    letters.put(letter.key(), letter);
    if (warned) {
      logger.log(Level.DEBUG, "Write-behind gave up {0}", letter);
    } else {
      warned = true;
      logger.log(Level.WARNING, "Write-behind of cache ''{0}'' gave up {1}; further dead letters "
          + "are logged at DEBUG until the queue is empty again", letter.cacheName(), letter);
    }
    if (letters.size() > capacity) {
      Iterator<DeadLetter<K, V>> eldest = letters.values().iterator();
      DeadLetter<K, V> dropped = eldest.next();
      eldest.remove();
      discarded++;
      if (!discardReported) {
        discardReported = true;
        logger.log(Level.ERROR, "Dead-letter queue is full ({0} letters); discarding the oldest, "
            + "whose write is lost: {1}", capacity, dropped);
      }
    }
  }

  @Override
  public synchronized void superseded(K key) {
    letters.remove(key);
    endBurstIfEmpty();
  }

  /** Returns the letters, oldest first. */
  public synchronized List<DeadLetter<K, V>> snapshot() {
    return List.copyOf(letters.values());
  }

  /** Returns the number of letters kept. */
  public synchronized int size() {
    return letters.size();
  }

  /** Returns the number of letters ever received. */
  public synchronized long received() {
    return received;
  }

  /** Returns the number of letters discarded because the queue was full. */
  public synchronized long discarded() {
    return discarded;
  }

  /**
   * Queues every letter again in the buffer it came from; a letter that is refused (the buffer
   * is full or closed) stays. Stale letters are never resubmitted.
   *
   * @return the number of letters resubmitted
   */
  public int resubmit() {
    int resubmitted = 0;
    // outside the monitor: a resubmission takes the buffer's lock, which holds superseded() calls
    for (DeadLetter<K, V> letter : snapshot()) {
      if (letter.resubmit()) {
        resubmitted++;
        synchronized (this) {
          letters.remove(letter.key(), letter);
          endBurstIfEmpty();
        }
      }
    }
    return resubmitted;
  }

  private void endBurstIfEmpty() {
    if (letters.isEmpty()) {
      warned = false;
      discardReported = false;
    }
  }
}
