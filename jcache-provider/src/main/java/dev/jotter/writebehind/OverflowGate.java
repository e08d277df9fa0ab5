package dev.jotter.writebehind;

import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.cache.integration.CacheWriterException;

/**
 * The bound of a write-behind buffer (contract clause 8): at most {@code maxPendingOperations}
 * operations pending or in flight, and what a mutation does when there is no room, decided in
 * {@link #reserve} before the cache changes.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Slots are counted lock-free: while there is room, reserving and giving back take no
 *       lock. A mutation that coalesces into its key's waiting operation needs no slot.
 *   <li>{@code FAIL} refuses at once; {@code BLOCK} waits up to {@code blockTimeout} for a slot
 *       (or for the key's operation to become one it can coalesce into); {@code WRITE_THROUGH}
 *       writes synchronously, but only once its key has nothing queued, so it never overtakes the
 *       key's pending operations. All three wait here, outside the cache's per-key section, so a
 *       wait holds up no other key (and not the storage engine's lock of this one).
 *   <li>The bound can be exceeded, by design, in three ways only: by a reservation that expected
 *       to coalesce but found the key's operation sent meanwhile (at most one per thread); by a
 *       write-through reservation whose key got an operation queued by another thread before
 *       its per-key section (it queues behind it instead of waiting inside the section); and by
 *       {@link #takeBeyondBound} (recovery and resubmitted dead letters, whose values are held
 *       already). Mutations then meet the policy until the backlog is under the bound again.
 * </ul>
 */
final class OverflowGate<K> {
  private final String cacheName;
  private final WriteBehindConfiguration config;
  private final PendingQueue<K, ?> queue;
  private final BufferLock lock;
  private final boolean coalescesWithoutLock;
  private final BooleanSupplier closing;
  private final Supplier<IllegalStateException> closed;
  private final LongAdder overflowEvents;
  private final long blockTimeoutNanos;
  private final AtomicInteger used = new AtomicInteger();
  /** Reservers waiting for room; a slot given back wakes them only if there are any. */
  private final AtomicInteger blocked = new AtomicInteger();

  /**
   * @param coalescesWithoutLock whether a mutation of a key whose operation waits coalesces into
   *     it without the lock, and so needs no slot
   * @param closing whether the buffer has begun closing: reservations fail then
   * @param closed the exception a reservation fails with once the buffer is closing
   */
  OverflowGate(String cacheName, WriteBehindConfiguration config, PendingQueue<K, ?> queue,
      BufferLock lock, boolean coalescesWithoutLock, BooleanSupplier closing,
      Supplier<IllegalStateException> closed, LongAdder overflowEvents) {
    this.cacheName = cacheName;
    this.config = config;
    this.queue = queue;
    this.lock = lock;
    this.coalescesWithoutLock = coalescesWithoutLock;
    this.closing = closing;
    this.closed = closed;
    this.overflowEvents = overflowEvents;
    this.blockTimeoutNanos = BufferLock.saturatedNanos(config.blockTimeout());
  }

  /**
   * Makes room for one mutation of {@code key}, or applies the overflow policy.
   *
   * @throws CacheWriterException if the buffer is full and the policy is {@code FAIL}, or
   *     {@code BLOCK} (or a write-through wait) timed out; the message names the cache, the
   *     policy and the limit
   * @throws IllegalStateException if the buffer began closing
   */
  Reservation reserve(K key) {
    if (closing.getAsBoolean()) {
      throw closed.get();
    }
    if (coalescesWithoutLock && queue.waiting(key) != null) {
      // expected to coalesce, so no slot: the first exception of the class javadoc if the
      // operation leaves meanwhile
      return new Reservation(false, false);
    }
    if (tryTake()) {
      return new Reservation(false, true);
    }
    overflowEvents.increment();
    return reserveWhenFull(key);
  }

  private Reservation reserveWhenFull(K key) {
    OverflowPolicy policy = config.overflowPolicy();
    long deadline = lock.deadlineAfter(blockTimeoutNanos);
    lock.lock();
    // counted before trying, so that giveBack() of an unused slot cannot miss this waiter
    blocked.incrementAndGet();
    try {
      for (;;) {
        if (closing.getAsBoolean()) {
          throw closed.get();
        }
        if (tryTake()) {
          return new Reservation(false, true);
        } else if (queue.coalescable(key) != null) {
          return new Reservation(false, false);
        } else if (policy == OverflowPolicy.WRITE_THROUGH) {
          if (!queue.contains(key)) {
            return new Reservation(true, false);
          }
          awaitWriteThrough(key, deadline); // then look again: a slot may have freed up too
        } else if (policy == OverflowPolicy.FAIL
            || !lock.await(() -> closing.getAsBoolean() || hasRoom()
                || queue.coalescable(key) != null, deadline)) {
          throw new CacheWriterException("Write-behind buffer of cache '" + cacheName
              + "' is full: maxPendingOperations=" + config.maxPendingOperations()
              + ", overflowPolicy=" + policy
              + ((policy == OverflowPolicy.BLOCK) ? " waited " + config.blockTimeout() : ""));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriterException("Interrupted while waiting for room in the write-behind "
          + "buffer of cache '" + cacheName + "'", e);
    } finally {
      blocked.decrementAndGet();
      lock.unlock();
    }
  }

  /**
   * Waits, holding the lock, while the key's operation is in flight and the buffer full, so
   * write-through never reorders a key.
   */
  private void awaitWriteThrough(K key, long deadline) throws InterruptedException {
    if (!lock.await(() -> closing.getAsBoolean() || hasRoom()
        || queue.coalescable(key) != null || !queue.contains(key), deadline)) {
      throw new CacheWriterException("Write-through overflow of cache '" + cacheName
          + "' waited " + config.blockTimeout() + " for the pending operations of its key");
    }
  }

  private boolean hasRoom() {
    return used.get() < config.maxPendingOperations();
  }

  private boolean tryTake() {
    int max = config.maxPendingOperations();
    for (int now = used.get(); now < max; now = used.get()) {
      if (used.compareAndSet(now, now + 1)) {
        return true;
      }
    }
    return false;
  }

  /** The mutation queued a new operation: it keeps its reserved slot, or takes one now. */
  void takeReserved(Reservation reservation) {
    if (reservation.holdsSlot) {
      reservation.holdsSlot = false;
    } else {
      used.incrementAndGet(); // the first exception of the class javadoc
    }
  }

  /** Takes a slot whether or not there is room: recovery and resubmitted dead letters. */
  void takeBeyondBound() {
    used.incrementAndGet();
  }

  /** Gives back a slot the mutation did not use (it coalesced, or the cache did not mutate). */
  void giveBack(Reservation reservation) {
    if (reservation.holdsSlot) {
      reservation.holdsSlot = false;
      used.decrementAndGet();
      if (blocked.get() > 0) {
        lock.signal();
      }
    }
  }

  /**
   * An operation left the buffer (written, dead-lettered, superseded, discarded); call it under
   * the lock, whose holder signals the waiters when it is done.
   */
  void free() {
    used.decrementAndGet();
  }
}
