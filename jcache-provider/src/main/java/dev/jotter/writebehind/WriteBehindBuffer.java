package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;
import dev.jotter.configuration.Ticker;
import static java.util.Objects.requireNonNull;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.Journal;
import dev.jotter.writebehind.WriteBehindListener.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * The write-behind buffer of one cache: it accepts the cache's mutations and writes them to the
 * {@link CacheWriter} later, in batches, on flusher threads.
 *
 * <p>How a cache drives it, for each mutation of a key:
 * <pre>{@code
 * Reservation r = buffer.reserve(key);         // overflow policy; may throw, cache unchanged
 * try {
 *   map.compute(key, (k, old) -> {             // the cache's per-key atomic section
 *     buffer.write(r, k, value);               // or buffer.delete(r, k)
 *     return value;
 *   });
 * } finally {
 *   buffer.release(r);                         // unused slot back; SYNC journal: wait for fsync
 * }
 * }</pre>
 *
 * <p>Guarantees (the numbers are the clauses of the write-behind contract):
 * <ul>
 *   <li>1. {@code write}/{@code delete} return once the operation is queued (and journaled); they
 *       never wait for the writer, and writer exceptions never reach them. The one exception is
 *       a {@link OverflowPolicy#WRITE_THROUGH} reservation, which writes synchronously.
 *   <li>2. For every key the writer sees operations in the order they were queued. A key is in
 *       at most one writer call at a time, also with several flusher threads; a mutation of a key
 *       in flight waits behind it. A failed operation is retried before any newer operation of
 *       its key is sent, or dropped in favour of a newer one; it is never sent after a newer one.
 *   <li>3. With coalescing on, a mutation replaces the key's waiting operation (write→write keeps
 *       the newest value, write→delete becomes the delete, delete→write becomes the write). A key
 *       appears at most once in a batch, with coalescing on or off.
 *   <li>4. A batch holds at most {@code batchSize} operations and leaves when full or when its
 *       oldest operation has waited {@code maxWriteDelay}. It is sent as one {@code deleteAll}
 *       and one {@code writeAll} (a key is at most once in a batch, so their order changes no
 *       key's order); single {@code write}/{@code delete} is used only by write-through overflow.
 *   <li>5. After a failed {@code writeAll}/{@code deleteAll} only what the writer left in the
 *       collection is retried. A call that failed as a whole is split: its operations travel in
 *       batches of half its size, halving again on each whole failure, until the poison is
 *       isolated and the rest is written.
 *   <li>6. Failed operations are retried after an exponential back-off with jitter, until
 *       {@code maxAttempts} or {@code maxRetryTime}; then the {@link DeadLetterHandler} gets
 *       them. While writer calls fail without writing anything, the whole flusher pauses with the
 *       same back-off, so an unavailable database sees a decaying call rate, not a retry storm.
 *       A newer mutation of a dead-lettered key supersedes the dead letter.
 *   <li>7. {@link #pending} returns the newest unconfirmed state of a key, so the cache can answer
 *       reads without its loader. A dead-lettered operation is no longer pending: the buffer
 *       has given it up, and keeping its value would defeat the memory bound.
 *   <li>8. At most {@code maxPendingOperations} operations are pending or in flight; a
 *       mutation that coalesces needs no slot. {@link #reserve} applies the overflow policy before
 *       the cache changes. (A reservation that expected to coalesce but found the key's operation
 *       sent meanwhile takes a slot anyway: the bound can be exceeded by at most one such
 *       racing mutation per thread.)
 *   <li>9. {@link #flush} returns when everything queued before it is written or dead-lettered;
 *       {@link #close} drains within {@code drainTimeout} and reports the rest as lost.
 * </ul>
 *
 * <p>Implementation notes.
 *
 * <p><b>Structure.</b> Each key with unconfirmed operations has a {@code KeyQueue}: its operations
 * in order (at most two with coalescing: one in flight, one waiting) and whether its head is in
 * flight. Each operation has an {@code order}, its position in the buffer's queue. The keys whose
 * head may be sent now are in {@code ready}, sorted by the head's order; keys whose head waits for
 * a retry back-off are in {@code delayed}, sorted by retry time. {@code live} holds every
 * unconfirmed operation by order, which gives the oldest one (lag, flush barriers) cheaply. A
 * batch takes the heads of the oldest ready keys and marks those keys in flight; it can never hold
 * a key twice, and a key in flight is not in {@code ready}, which is how order per key holds with
 * any number of flusher threads.
 *
 * <p><b>Concurrency.</b> One short lock guards the queue structures; it is held to queue an
 * operation, to cut a batch, and to account for a finished batch, never across a writer call,
 * a dead-letter delivery or a listener call. Without a journal, a mutation of a key whose newest
 * operation still waits does not take it: it swaps the waiting operation's value with a
 * compare-and-set ({@link Op#tryCoalesce}), and the flusher {@linkplain Op#seize seizes} an
 * operation under the lock when it cuts it into a batch, so a swap either lands before the send
 * or fails and queues behind it. Journal appends happen under the lock, so journal order is
 * queue order. Slots are counted lock-free, so {@link #reserve} and {@link #release} take no
 * lock while the buffer has room. {@link #pending} reads a volatile field through a concurrent
 * map and takes no lock. Up to {@code flusherThreads} batches are in flight at once; a finished
 * batch cuts the next one on its own thread, and a timer on the {@link FlushScheduler} fires when
 * the oldest operation's delay, a retry back-off, or the flusher's pause ends.
 *
 * <p><b>Failure.</b> Failed operations go back to their key's head with a new retry time and a
 * batch-size limit (halved on a whole failure), or are dropped if the key has a newer operation
 * (always with coalescing; with coalescing off only once retries are exhausted, as the newer
 * operation then decides the key's final state). An exhausted operation stays in flight until the
 * dead-letter handler has it, so the key's next operation cannot overtake its dead letter.
 *
 * <p><b>Time.</b> Every delay and deadline is read from the injected {@link Ticker} and fired by
 * the injected {@link FlushScheduler}; threads that wait (overflow, write-through, flush, close)
 * wait on a condition that a scheduler timer signals at their deadline.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class WriteBehindBuffer<K, V> {
  private static final Logger logger = System.getLogger(WriteBehindBuffer.class.getName());
  /** How many lost keys the ERROR at close names. */
  private static final int LOGGED_KEYS = 20;

  private final String cacheName;
  private final WriteBehindConfiguration config;
  private final CacheWriter<K, V> writer;
  private final DeadLetterHandler<K, V> deadLetters;
  private final Journal<K, V> journal;
  private final WriteBehindListener listener;
  private final Ticker ticker;
  private final FlushScheduler scheduler;
  private final Backoff backoff;
  private final long maxWriteDelayNanos;
  private final long maxRetryNanos;
  private final long blockTimeoutNanos;
  /**
   * Whether a mutation may coalesce into its key's waiting operation without the lock (see
   * {@link Op#tryCoalesce}). Not with a journal, whose appends must follow the queue's order.
   */
  private final boolean coalescesWithoutLock;

  private final AtomicInteger usedSlots = new AtomicInteger();
  private final AtomicInteger blockedReservers = new AtomicInteger();

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when operations finish, slots free up, a deadline passes, or the buffer closes. */
  private final Condition changed = lock.newCondition();
  /** Written under the lock; read without it by pending(). */
  private final Map<K, KeyQueue<K, V>> keys = new ConcurrentHashMap<>();
  // the rest is guarded by the lock
  private final TreeMap<Long, KeyQueue<K, V>> ready = new TreeMap<>();
  private final TreeMap<Op<K, V>, KeyQueue<K, V>> delayed = new TreeMap<>(
      Comparator.<Op<K, V>>comparingLong(op -> op.notBefore).thenComparingLong(op -> op.order));
  /**
   * Insertion order is order: a new operation takes the next, largest order, and one that replaces
   * another (coalescing, a retry) keeps its predecessor's order and so its place. A linked map then
   * gives the oldest operation as a sorted map would, with constant-time removal on the flusher's
   * path.
   */
  private final LinkedHashMap<Long, Op<K, V>> live = new LinkedHashMap<>();
  /** The order of each key's current dead letter, until a newer mutation or a resubmission. */
  private final Map<K, Long> deadKeys = new HashMap<>();
  private long nextOrder;
  /** Operations ordered before this are due at once (flush, close). */
  private long forceBefore = Long.MIN_VALUE;
  private long timerAt = Long.MAX_VALUE;
  private long pausedUntil = Long.MIN_VALUE;
  private int consecutiveFailures;
  /** The failure burst being logged (see logFailureBurst); zero calls: no burst. */
  private long burstFailedCalls;
  private long burstFailedOps;
  private long burstStartedAt;
  private long burstDeadLetteredBefore;
  private int inFlightBatches;
  private volatile boolean closing;
  private boolean terminated;
  private CloseReport<K> closeReport;

  private final LongAdder coalesced = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder writerCalls = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final LongAdder overflowEvents = new LongAdder();

  @SuppressWarnings("unchecked")
  private WriteBehindBuffer(Builder<K, V> b) {
    this.cacheName = b.cacheName;
    this.config = b.config;
    // the writer only consumes K and V, so viewing it as CacheWriter<K, V> is safe
    this.writer = (CacheWriter<K, V>) b.writer;
    this.deadLetters = b.deadLetters;
    this.journal = b.journal;
    this.listener = b.listener;
    this.ticker = b.ticker;
    this.scheduler = (b.scheduler == null)
        ? FlushScheduler.daemon(cacheName, config.flusherThreads())
        : b.scheduler;
    this.backoff = new Backoff(config);
    this.maxWriteDelayNanos = config.maxWriteDelay().toNanos();
    this.maxRetryNanos = saturatedNanos(config.maxRetryTime());
    this.blockTimeoutNanos = saturatedNanos(config.blockTimeout());
    this.coalescesWithoutLock = config.coalescing() && (b.journal == Journal.<K, V>none());
  }

  /**
   * Starts building the buffer of a cache.
   *
   * @param cacheName the cache's name, for thread names, logs and exceptions
   * @param config the write-behind settings
   * @param writer the cache's writer
   */
  public static <K, V> Builder<K, V> builder(String cacheName, WriteBehindConfiguration config,
      CacheWriter<? super K, ? super V> writer) {
    return new Builder<>(cacheName, config, writer);
  }

  /** The name of the cache this buffer belongs to. */
  public String cacheName() {
    return cacheName;
  }

  /** Returns the overflow policy of the buffer. */
  public OverflowPolicy overflowPolicy() {
    return config.overflowPolicy();
  }

  /** Returns the bound of pending and in-flight operations ({@code maxPendingOperations}). */
  public int maxPendingOperations() {
    return config.maxPendingOperations();
  }

  /**
   * Makes room for one mutation of {@code key}; call it before the cache's per-key section, and
   * {@link #release} after it in a {@code finally} block. Never changes the queue.
   *
   * @throws CacheWriterException if the buffer is full and the policy is {@code FAIL}, or
   *     {@code BLOCK} and no slot freed up within {@code blockTimeout}; the message names the
   *     cache, the policy and the limit
   * @throws IllegalStateException if the buffer is closed
   */
  public Reservation reserve(K key) {
    requireNonNull(key, "key");
    checkOpen();
    if (coalescesWithoutLock && waiting(key) != null) {
      // expected to coalesce, so no slot: clause 8's race if the operation leaves meanwhile
      return new Reservation(false, false);
    }
    if (tryTakeSlot()) {
      return new Reservation(false, true);
    }
    overflowEvents.increment();
    return reserveWhenFull(key);
  }

  /**
   * Queues a write of {@code key}; call it inside the cache's per-key section, which orders the
   * calls for one key. With a write-through reservation, calls the writer instead (once the key
   * has nothing pending) and lets its {@link CacheWriterException} propagate, so the cache can
   * abort its change.
   *
   * @throws IllegalStateException if the buffer has finished closing
   */
  public void write(Reservation reservation, K key, V value) {
    apply(reservation, key, requireNonNull(value, "value"));
  }

  /** Queues a delete of {@code key}; otherwise as {@link #write}. */
  public void delete(Reservation reservation, K key) {
    apply(reservation, key, null);
  }

  /**
   * Ends a mutation: gives back a slot it did not use (the mutation coalesced, or the cache did
   * not mutate) and waits until what it journaled is durable, which only a {@code SYNC} journal
   * makes take time.
   */
  public void release(Reservation reservation) {
    if (reservation.holdsSlot) {
      reservation.holdsSlot = false;
      usedSlots.decrementAndGet();
      if (blockedReservers.get() > 0) {
        signalChanged();
      }
    }
    if (reservation.journaled) {
      reservation.journaled = false;
      journal.awaitDurable(reservation.sequence);
    }
  }

  /**
   * Returns the newest state of {@code key} that the writer has not confirmed, in flight or
   * awaiting a retry included, or {@code null} if there is none (the writer holds the newest
   * state, or it was dead-lettered).
   */
  public WriterRoute.Pending<V> pending(K key) {
    KeyQueue<K, V> queue = keys.get(key);
    return (queue == null) ? null : queue.latest;
  }

  /**
   * Returns when every operation queued before the call is written or dead-lettered. Retries
   * keep their back-off. Returns early, with the interrupt status set, if interrupted.
   */
  public void flush() {
    flush(ChronoUnit.FOREVER.getDuration());
  }

  /**
   * Like {@link #flush()}, waiting at most {@code timeout}.
   *
   * @return whether everything queued before the call was written or dead-lettered in time
   */
  public boolean flush(Duration timeout) {
    long deadline = deadlineAfter(saturatedNanos(timeout));
    long barrier;
    List<List<Op<K, V>>> next;
    lock.lock();
    try {
      barrier = nextOrder;
      forceBefore = Math.max(forceBefore, barrier);
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
    lock.lock();
    try {
      return await(() -> terminated || flushedBefore(barrier), deadline) && flushedBefore(barrier);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting reservations, sends everything queued, and waits up to {@code drainTimeout}
   * for it to be written or dead-lettered. What is left, in flight included, is reported as lost:
   * counted, logged at ERROR with its keys, and returned. Idempotent: later calls wait for the
   * first one and return its report. Closes the journal and the scheduler. (The buffer is not
   * {@link AutoCloseable}, whose {@code close} cannot return the report.)
   */
  public CloseReport<K> close() {
    List<List<Op<K, V>>> next;
    lock.lock();
    try {
      if (closing) {
        while (closeReport == null) {
          changed.awaitUninterruptibly();
        }
        return closeReport;
      }
      closing = true;
      forceBefore = Long.MAX_VALUE;
      changed.signalAll(); // blocked reservers fail now
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
    long deadline = deadlineAfter(saturatedNanos(config.drainTimeout()));
    lock.lock();
    try {
      try {
        await(live::isEmpty, deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      terminated = true;
      live.values().forEach(Op::seize); // a racing lock-free coalesce now fails and sees the close
      List<K> lostKeys = live.values().stream().map(op -> op.key).toList();
      lost.add(lostKeys.size());
      closeReport = new CloseReport<>(lostKeys.isEmpty(), lostKeys.size(), lostKeys);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (closeReport.lost() > 0) {
      List<K> lostKeys = closeReport.lostKeys();
      // one line of bounded length, however many keys were lost
      Object shown = (lostKeys.size() <= LOGGED_KEYS) ? lostKeys
          : lostKeys.subList(0, LOGGED_KEYS) + " and " + (lostKeys.size() - LOGGED_KEYS) + " more";
      logger.log(Level.ERROR, "Write-behind of cache ''{0}'' did not drain within {1}: {2} "
          + "operations unconfirmed ({3}), keys {4}", cacheName, config.drainTimeout(),
          closeReport.lost(), (config.durability() == Durability.NONE)
              ? "lost" : "kept in the journal", shown);
    }
    journal.close();
    scheduler.close();
    return closeReport;
  }

  /** Returns a snapshot of the counters. */
  public WriteBehindStatistics statistics() {
    lock.lock();
    try {
      Duration lag = live.isEmpty()
          ? Duration.ZERO
          : Duration.ofNanos(ticker.read() - oldest().enqueuedAt);
      return new WriteBehindStatistics(live.size(), lag, coalesced.sum(), written.sum(),
          writerCalls.sum(), batches.sum(), retried.sum(), failed.sum(), deadLettered.sum(),
          lost.sum(), overflowEvents.sum());
    } finally {
      lock.unlock();
    }
  }

  /** Queues a dead letter again if it is still its key's newest state; see DeadLetter#resubmit. */
  boolean resubmit(DeadLetter<K, V> letter) {
    List<List<Op<K, V>>> next;
    lock.lock();
    try {
      Long current = deadKeys.get(letter.key());
      if (closing || current == null || current != letter.order || !tryTakeSlot()) {
        return false;
      }
      long sequence;
      try {
        sequence = append(letter.key(), letter.value());
      } catch (RuntimeException e) {
        usedSlots.decrementAndGet();
        throw e;
      }
      deadKeys.remove(letter.key());
      offer(letter.key(), letter.value(), sequence); // the key has nothing queued: a new slot
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
    return true;
  }

  /* ---------------- Mutations ---------------- */

  private Reservation reserveWhenFull(K key) {
    OverflowPolicy policy = config.overflowPolicy();
    long deadline = deadlineAfter(blockTimeoutNanos);
    lock.lock();
    // counted before trying, so that release() of an unused slot cannot miss this waiter
    blockedReservers.incrementAndGet();
    try {
      for (;;) {
        checkOpen();
        if (tryTakeSlot()) {
          return new Reservation(false, true);
        } else if (coalescable(keys.get(key)) != null) {
          return new Reservation(false, false);
        } else if (policy == OverflowPolicy.WRITE_THROUGH) {
          return new Reservation(true, false);
        } else if (policy == OverflowPolicy.FAIL
            || !await(() -> closing || usedSlots.get() < config.maxPendingOperations()
                || coalescable(keys.get(key)) != null, deadline)) {
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
      blockedReservers.decrementAndGet();
      lock.unlock();
    }
  }

  private void apply(Reservation reservation, K key, V value) {
    requireNonNull(reservation, "reservation");
    requireNonNull(key, "key");
    if (coalescesWithoutLock && !reservation.writeThrough && !closing) {
      // the hot-key path: replace the waiting value in place; no lock, no queue change
      Op<K, V> op = waiting(key);
      if ((op != null) && op.tryCoalesce(value)) {
        coalesced.increment();
        return;
      }
    }
    Op<K, V> replaced = null;
    List<List<Op<K, V>>> next = List.of();
    boolean synchronous = false;
    lock.lock();
    try {
      if (reservation.writeThrough) {
        synchronous = awaitWriteThrough(key);
      }
      checkNotTerminated();
      if (synchronous) {
        supersedeDeadLetter(key);
      } else {
        long sequence = append(key, value);
        reservation.journaled = true;
        reservation.sequence = sequence;
        supersedeDeadLetter(key);
        replaced = offer(key, value, sequence);
        if (replaced == null) {
          takeReservedSlot(reservation);
        } else {
          // under the lock, like the append: a flush or close that follows must find it done
          journal.markDone(replaced.sequence);
        }
        next = takeBatches();
      }
    } finally {
      lock.unlock();
    }
    if (synchronous) {
      writeSynchronously(key, value);
    }
    execute(next);
  }

  /**
   * Waits until the key has nothing queued (write synchronously: true) or has an operation this
   * mutation can replace (queue it without a slot: false), so write-through never reorders a key.
   */
  private boolean awaitWriteThrough(K key) {
    try {
      if (!await(() -> terminated || coalescable(keys.get(key)) != null || !keys.containsKey(key),
          deadlineAfter(blockTimeoutNanos))) {
        throw new CacheWriterException("Write-through overflow of cache '" + cacheName
            + "' waited " + config.blockTimeout() + " for the pending operations of its key");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriterException("Interrupted while waiting for the pending operations of a "
          + "key of cache '" + cacheName + "'", e);
    }
    return !keys.containsKey(key);
  }

  private void writeSynchronously(K key, V value) {
    long start = ticker.read();
    writerCalls.increment();
    try {
      if (value == null) {
        writer.delete(key);
      } else {
        writer.write(Op.fresh(key, value, 0, -1, start));
      }
    } catch (RuntimeException e) {
      failed.increment();
      notifyListener(1, ticker.read() - start, Outcome.FAILURE);
      throw (e instanceof CacheWriterException) ? e : new CacheWriterException(e);
    }
    written.increment();
    notifyListener(1, ticker.read() - start, Outcome.SUCCESS);
  }

  private long append(K key, V value) {
    return (value == null) ? journal.appendDelete(key) : journal.appendWrite(key, value);
  }

  /**
   * Queues an operation, replacing the key's waiting one if coalescing allows. Returns the
   * replaced operation, or {@code null} if the new one needs a slot.
   */
  private Op<K, V> offer(K key, V value, long sequence) {
    long now = ticker.read();
    KeyQueue<K, V> queue = keys.get(key);
    Op<K, V> tail = coalescable(queue);
    if (tail != null) {
      tail.seize(); // a mutation racing without the lock must not land in the replaced operation
      boolean queued = (tail == queue.head());
      if (queued) {
        unplace(queue);
      }
      Op<K, V> op = tail.coalesce(value, sequence);
      queue.ops.pollLast();
      queue.add(op);
      live.put(op.order, op);
      if (queued) {
        place(queue, now);
      }
      coalesced.increment();
      return tail;
    }
    Op<K, V> op = Op.fresh(key, value, sequence, nextOrder++, now);
    if (queue == null) {
      queue = new KeyQueue<>();
      queue.add(op);
      keys.put(key, queue);
    } else {
      queue.add(op);
    }
    live.put(op.order, op);
    if (queue.ops.size() == 1) {
      place(queue, now);
    }
    return null;
  }

  /** The key's newest operation if the flusher has not seized it; may change at once. */
  private Op<K, V> waiting(K key) {
    KeyQueue<K, V> queue = keys.get(key);
    Op<K, V> latest = (queue == null) ? null : queue.latest;
    return ((latest != null) && latest.isWaiting()) ? latest : null;
  }

  private void supersedeDeadLetter(K key) {
    // under the lock, so that a resubmission of the stale letter cannot slip in after this
    if (!deadKeys.isEmpty() && deadKeys.remove(key) != null) {
      deadLetters.superseded(key);
    }
  }

  private Op<K, V> coalescable(KeyQueue<K, V> queue) {
    return (config.coalescing() && queue != null) ? queue.waitingTail() : null;
  }

  private boolean tryTakeSlot() {
    int max = config.maxPendingOperations();
    for (int used = usedSlots.get(); used < max; used = usedSlots.get()) {
      if (usedSlots.compareAndSet(used, used + 1)) {
        return true;
      }
    }
    return false;
  }

  private void takeReservedSlot(Reservation reservation) {
    if (reservation.holdsSlot) {
      reservation.holdsSlot = false;
    } else {
      usedSlots.incrementAndGet(); // the race described in clause 8 of the class javadoc
    }
  }

  /** Queues the journal's unfinished operations; runs before the buffer is published. */
  private void recover() {
    List<List<Op<K, V>>> next;
    lock.lock();
    try {
      journal.replay(record -> {
        Op<K, V> replaced = offer(record.key(), record.value(), record.sequence());
        if (replaced == null) {
          usedSlots.incrementAndGet(); // recovered operations may exceed the bound: never drop them
        } else {
          journal.markDone(replaced.sequence);
        }
      });
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
  }
  /* ---------------- Batches ---------------- */

  /** Cuts the batches that may leave now and arms the timer; run them after unlocking. */
  private List<List<Op<K, V>>> takeBatches() {
    if (terminated) {
      return List.of();
    }
    long now = ticker.read();
    for (Map.Entry<Op<K, V>, KeyQueue<K, V>> e = delayed.firstEntry();
        (e != null) && (e.getKey().notBefore <= now); e = delayed.firstEntry()) {
      delayed.pollFirstEntry();
      ready.put(e.getKey().order, e.getValue());
    }
    List<List<Op<K, V>>> taken = List.of();
    while ((inFlightBatches < config.flusherThreads()) && (now >= pausedUntil)
        && !ready.isEmpty() && isDue(ready.firstEntry().getValue().head(), now)) {
      if (taken.isEmpty()) {
        taken = new ArrayList<>();
      }
      taken.add(pollBatch());
      inFlightBatches++;
      batches.increment();
    }
    armTimer(now);
    return taken;
  }

  private boolean isDue(Op<K, V> head, long now) {
    return (head.attempts > 0) || (head.order < forceBefore)
        || (ready.size() >= config.batchSize()) || (now - head.enqueuedAt >= maxWriteDelayNanos);
  }

  private List<Op<K, V>> pollBatch() {
    List<Op<K, V>> batch = new ArrayList<>(Math.min(config.batchSize(), ready.size()));
    int limit = config.batchSize();
    for (Iterator<KeyQueue<K, V>> it = ready.values().iterator(); it.hasNext();) {
      KeyQueue<K, V> queue = it.next();
      limit = Math.min(limit, queue.head().limit);
      if (batch.size() >= limit) {
        break;
      }
      it.remove();
      queue.inFlight = true;
      queue.head().seize(); // the value the writer gets; later mutations queue behind it
      batch.add(queue.head());
    }
    return batch;
  }

  private void armTimer(long now) {
    if (inFlightBatches >= config.flusherThreads()) {
      return; // the next finished batch dispatches
    }
    long next = Long.MAX_VALUE;
    if (!ready.isEmpty()) {
      Op<K, V> head = ready.firstEntry().getValue().head();
      next = isDue(head, now) ? now : head.enqueuedAt + maxWriteDelayNanos;
    }
    if (!delayed.isEmpty()) {
      next = Math.min(next, delayed.firstKey().notBefore);
    }
    if (next == Long.MAX_VALUE) {
      return;
    }
    long at = Math.max(next, pausedUntil);
    // an earlier timer may still be outstanding; it finds nothing due, which is harmless
    if (at < timerAt) {
      timerAt = at;
      scheduler.schedule(() -> onTimer(at), Math.max(0, at - now));
    }
  }

  private void onTimer(long at) {
    List<List<Op<K, V>>> next;
    lock.lock();
    try {
      if (timerAt == at) {
        timerAt = Long.MAX_VALUE;
      }
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
  }

  private void execute(List<List<Op<K, V>>> next) {
    for (List<Op<K, V>> batch : next) {
      try {
        scheduler.execute(() -> send(batch));
      } catch (RejectedExecutionException e) {
        if (!closing) {
          throw e;
        } // else close() gave up on the batch between cutting and sending it: reported lost
      }
    }
  }

  /**
   * Sends a batch as one {@code deleteAll} and one {@code writeAll}; runs on a flusher thread. A
   * batch holds a key at most once, so no key's order depends on which call goes first, and two
   * calls per batch (not one per run of writes or deletes) keep the writer's call rate low. When the
   * first call wrote nothing, the second is not made: its operations go back unsent, without an
   * attempt counted, and wait out the flusher's pause with the rest.
   */
  private void send(List<Op<K, V>> batch) {
    List<Op<K, V>> deletes = new ArrayList<>(0);
    List<Op<K, V>> writes = new ArrayList<>(batch.size());
    for (Op<K, V> op : batch) {
      (op.isDelete() ? deletes : writes).add(op);
    }
    List<Failure<K, V>> failures = new ArrayList<>(0);
    boolean progress = false;
    List<Op<K, V>> unsent = List.of();
    for (List<Op<K, V>> run : List.of(deletes, writes)) {
      if (run.isEmpty()) {
        continue;
      }
      if (!failures.isEmpty() && !progress) {
        unsent = run;
        break;
      }
      Failure<K, V> failure = call(run, run == deletes);
      progress |= (failure == null) || (failure.ops.size() < run.size());
      if (failure != null) {
        failures.add(failure);
      }
    }
    complete(batch, failures, progress, unsent);
  }

  /** Calls the writer once; returns what failed, or {@code null} if everything was written. */
  private Failure<K, V> call(List<Op<K, V>> run, boolean delete) {
    List<K> keysToDelete = new ArrayList<>(delete ? run.size() : 0);
    List<Cache.Entry<? extends K, ? extends V>> entries = new ArrayList<>(delete ? 0 : run.size());
    if (delete) {
      run.forEach(op -> keysToDelete.add(op.key));
    } else {
      entries.addAll(run);
    }
    Throwable error = null;
    long start = ticker.read();
    writerCalls.increment();
    try {
      if (delete) {
        writer.deleteAll(keysToDelete);
      } else {
        writer.writeAll(entries);
      }
    } catch (Throwable t) {
      // anything the writer throws is a failed call; an escaping error would leave keys in flight
      error = t;
    }
    long nanos = ticker.read() - start;
    if (error == null) {
      notifyListener(run.size(), nanos, Outcome.SUCCESS);
      return null;
    }
    Set<Object> failedKeys = new HashSet<>();
    // what the writer left in the collection failed (JCache partial-failure rule)
    failedKeys.addAll(keysToDelete);
    entries.forEach(entry -> failedKeys.add(entry.getKey()));
    List<Op<K, V>> failedOps = new ArrayList<>(failedKeys.size());
    for (Op<K, V> op : run) {
      if (failedKeys.contains(op.key)) {
        failedOps.add(op);
      }
    }
    boolean whole = (failedOps.size() == run.size());
    notifyListener(run.size(), nanos, whole ? Outcome.FAILURE : Outcome.PARTIAL_FAILURE);
    if (failedOps.isEmpty()) {
      return null; // the writer threw after writing everything: nothing to retry
    }
    return new Failure<>(failedOps, error, whole ? (run.size() + 1) / 2 : Op.UNLIMITED);
  }

  /** Accounts for a sent batch: frees what was written, schedules retries, pauses the flusher. */
  private void complete(List<Op<K, V>> batch, List<Failure<K, V>> failures, boolean progress,
      List<Op<K, V>> unsent) {
    List<Op<K, V>> done = new ArrayList<>(batch.size());
    List<Op<K, V>> dying = new ArrayList<>(0);
    List<List<Op<K, V>>> next = List.of();
    lock.lock();
    try {
      inFlightBatches--;
      if (!terminated) {
        long now = ticker.read();
        Set<Op<K, V>> failedOps = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Failure<K, V> failure : failures) {
          for (Op<K, V> op : failure.ops) {
            failedOps.add(op);
            retryOrGiveUp(op, failure, now, done, dying);
          }
        }
        for (Op<K, V> op : unsent) {
          failedOps.add(op);
          KeyQueue<K, V> queue = keys.get(op.key);
          queue.inFlight = false;
          place(queue, now);
        }
        for (Op<K, V> op : batch) {
          if (!failedOps.contains(op)) {
            written.increment();
            finish(op, now);
            done.add(op);
          }
        }
        pauseIfFailing(progress, failures, now);
        next = takeBatches();
      }
      // before waking flush() and close(): what they saw finish must be done in the journal
      markDone(done);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    execute(next);
    deadLetter(dying);
  }

  private void retryOrGiveUp(Op<K, V> op, Failure<K, V> failure, long now, List<Op<K, V>> done,
      List<Op<K, V>> dying) {
    failed.increment();
    KeyQueue<K, V> queue = keys.get(op.key);
    Op<K, V> retry = op.failed(now, failure.cause, Math.min(op.limit, failure.limit),
        backoff.delayNanos(op.attempts + 1, ThreadLocalRandom.current().nextDouble()));
    boolean exhausted = (retry.attempts >= config.maxAttempts())
        || (now - retry.firstFailureAt >= maxRetryNanos);
    boolean superseded = (queue.ops.size() > 1);
    if (superseded && (config.coalescing() || exhausted)) {
      coalesced.increment();
      finish(op, now);
      done.add(op);
    } else if (exhausted) {
      dying.add(retry); // stays in flight until the handler has it
    } else {
      retried.increment();
      queue.ops.pollFirst();
      queue.ops.addFirst(retry);
      queue.latest = queue.ops.peekLast();
      queue.inFlight = false;
      live.put(retry.order, retry);
      place(queue, now);
    }
  }

  private void pauseIfFailing(boolean progress, List<Failure<K, V>> failures, long now) {
    logFailureBurst(failures, now);
    if (progress) {
      consecutiveFailures = 0;
      pausedUntil = Long.MIN_VALUE;
    } else if (!failures.isEmpty()) {
      consecutiveFailures++;
      pausedUntil = now
          + backoff.delayNanos(consecutiveFailures, ThreadLocalRandom.current().nextDouble());
    }
  }

  /**
   * Logs a failure burst as two lines, whatever its length: one WARN at its first failed writer
   * call, one INFO with the counts when it ends, so that a database down for an hour does not
   * flood the log (the meters count every failure). A burst ends at a writer call that fails
   * nothing while no failed operation waits for its retry and no other batch is in flight.
   */
  private void logFailureBurst(List<Failure<K, V>> failures, long now) {
    if (!failures.isEmpty()) {
      int ops = 0;
      for (Failure<K, V> failure : failures) {
        ops += failure.ops.size();
      }
      if (burstFailedCalls == 0) {
        burstStartedAt = now;
        burstDeadLetteredBefore = deadLettered.sum();
        logger.log(Level.WARNING, "Writer of cache '" + cacheName + "' is failing: " + ops
            + " operations failed in " + failures.size() + " writer calls; write-behind retries "
            + "them with back-off. Further failures are counted, not logged, until the writer "
            + "recovers", failures.get(0).cause);
      }
      burstFailedCalls += failures.size();
      burstFailedOps += ops;
    } else if (burstFailedCalls > 0 && delayed.isEmpty() && inFlightBatches == 0) {
      logger.log(Level.INFO, "Writer of cache '" + cacheName + "' recovered after "
          + Duration.ofNanos(now - burstStartedAt) + ": " + burstFailedCalls
          + " failed writer calls, " + burstFailedOps + " failed operation attempts, "
          + (deadLettered.sum() - burstDeadLetteredBefore) + " operations dead-lettered");
      burstFailedCalls = 0;
      burstFailedOps = 0;
    }
  }

  /** Hands exhausted operations to the dead-letter handler, then lets their keys move on. */
  private void deadLetter(List<Op<K, V>> dying) {
    if (dying.isEmpty()) {
      return;
    }
    Instant wallNow = Instant.now();
    long tickerNow = ticker.read();
    int undelivered = 0;
    DeadLetter<K, V> firstUndelivered = null;
    RuntimeException firstError = null;
    for (Op<K, V> op : dying) {
      DeadLetter<K, V> letter = new DeadLetter<>(this, op.order, op.key, op.value(), op.attempts,
          wallNow.minusNanos(tickerNow - op.firstFailureAt), op.lastFailure);
      try {
        deadLetters.deadLettered(letter);
      } catch (RuntimeException e) {
        if (undelivered++ == 0) {
          firstUndelivered = letter;
          firstError = e;
        }
      }
    }
    if (undelivered > 0) {
      // one line per batch, not per letter: a failing handler must not flood the log
      logger.log(Level.ERROR, "Dead-letter handler of cache '" + cacheName + "' failed; lost "
          + undelivered + " operations, the first " + firstUndelivered, firstError);
    }
    List<List<Op<K, V>>> next = List.of();
    lock.lock();
    try {
      if (!terminated) {
        long now = ticker.read();
        for (Op<K, V> op : dying) {
          deadLettered.increment();
          finish(op, now);
          if (keys.containsKey(op.key)) {
            deadLetters.superseded(op.key); // a mutation arrived during the delivery
          } else {
            deadKeys.put(op.key, op.order);
          }
        }
        next = takeBatches();
      }
      markDone(dying);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    execute(next);
  }

  /** The head operation of its key is done: free its slot and let the key's next one queue. */
  private void finish(Op<K, V> op, long now) {
    KeyQueue<K, V> queue = keys.get(op.key);
    queue.ops.pollFirst();
    queue.inFlight = false;
    live.remove(op.order);
    usedSlots.decrementAndGet();
    if (queue.ops.isEmpty()) {
      keys.remove(op.key);
    } else {
      queue.latest = queue.ops.peekLast();
      place(queue, now);
    }
  }

  private void markDone(List<Op<K, V>> ops) {
    for (Op<K, V> op : ops) {
      journal.markDone(op.sequence);
    }
  }

  /** Puts a key whose head is not in flight where the flusher finds it. */
  private void place(KeyQueue<K, V> queue, long now) {
    Op<K, V> head = queue.head();
    if (head.notBefore > now) {
      delayed.put(head, queue);
    } else {
      ready.put(head.order, queue);
    }
  }

  private void unplace(KeyQueue<K, V> queue) {
    Op<K, V> head = queue.head();
    if (ready.remove(head.order) == null) {
      delayed.remove(head);
    }
  }

  private Op<K, V> oldest() {
    return live.values().iterator().next();
  }

  private boolean flushedBefore(long barrier) {
    return live.isEmpty() || oldest().order >= barrier;
  }

  /* ---------------- Helpers ---------------- */

  /**
   * Waits, holding the lock, until {@code done} holds or the ticker passes {@code deadline}. The
   * wait is timed in real time too; a scheduler timer wakes it at the deadline of a fake ticker.
   */
  private boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
    boolean timerSet = false;
    while (!done.getAsBoolean()) {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        return false;
      }
      if (!timerSet && (deadline != Long.MAX_VALUE)) {
        scheduler.schedule(this::signalChanged, remaining);
        timerSet = true;
      }
      changed.awaitNanos(remaining);
    }
    return true;
  }

  private void signalChanged() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void notifyListener(int size, long nanos, Outcome outcome) {
    try {
      listener.onBatch(size, nanos, outcome);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "Write-behind listener of cache ''" + cacheName + "'' failed", e);
    }
  }

  /** New reservations stop when close() begins. */
  private void checkOpen() {
    if (closing) {
      throw closed();
    }
  }

  /** Mutations holding a reservation are still queued while close() drains. */
  private void checkNotTerminated() {
    if (terminated) {
      throw closed();
    }
  }

  private IllegalStateException closed() {
    return new IllegalStateException("Write-behind buffer of cache '" + cacheName + "' is closed");
  }

  private long deadlineAfter(long nanos) {
    long now = ticker.read();
    long deadline = now + nanos;
    return (nanos == Long.MAX_VALUE || deadline < now) ? Long.MAX_VALUE : deadline;
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The operations of one key; guarded by the buffer's lock except {@code latest}. */
  private static final class KeyQueue<K, V> {
    final ArrayDeque<Op<K, V>> ops = new ArrayDeque<>(2);
    /** The head is with the writer or the dead-letter handler. */
    boolean inFlight;
    volatile Op<K, V> latest;

    Op<K, V> head() {
      return ops.peekFirst();
    }

    void add(Op<K, V> op) {
      ops.addLast(op);
      latest = op;
    }

    /** The newest operation if it has not been sent, so a new mutation may replace it. */
    Op<K, V> waitingTail() {
      return (ops.size() > (inFlight ? 1 : 0)) ? ops.peekLast() : null;
    }
  }

  /** Operations a writer call failed; {@code limit} bounds the batches of their retries. */
  private record Failure<K, V>(List<Op<K, V>> ops, Throwable cause, int limit) {}

  /**
   * Builds a {@link WriteBehindBuffer}. Only the cache name, configuration and writer are
   * required; the rest defaults to production choices.
   */
  public static final class Builder<K, V> {
    private final String cacheName;
    private final WriteBehindConfiguration config;
    private final CacheWriter<? super K, ? super V> writer;
    private DeadLetterHandler<K, V> deadLetters = new DeadLetterQueue<>();
    private Journal<K, V> journal = Journal.none();
    private WriteBehindListener listener = WriteBehindListener.NONE;
    private Ticker ticker = Ticker.system();
    private FlushScheduler scheduler;

    private Builder(String cacheName, WriteBehindConfiguration config,
        CacheWriter<? super K, ? super V> writer) {
      this.cacheName = requireNonNull(cacheName, "cacheName");
      this.config = requireNonNull(config, "config");
      this.writer = requireNonNull(writer, "writer");
    }

    /** Where given-up operations go; default a new {@link DeadLetterQueue}. */
    public Builder<K, V> deadLetters(DeadLetterHandler<K, V> deadLetters) {
      this.deadLetters = requireNonNull(deadLetters, "deadLetters");
      return this;
    }

    /**
     * The journal of a durable cache, owned and closed by the buffer; default
     * {@link Journal#none()}, which only a cache with durability NONE may use.
     */
    public Builder<K, V> journal(Journal<K, V> journal) {
      this.journal = requireNonNull(journal, "journal");
      return this;
    }

    /** Observes writer calls; default none. */
    public Builder<K, V> listener(WriteBehindListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /** The time source; default {@link Ticker#system()}. */
    public Builder<K, V> ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The flusher threads and timers, owned and closed by the buffer; default
     * {@link FlushScheduler#daemon}. Must measure delays in the ticker's time.
     */
    public Builder<K, V> scheduler(FlushScheduler scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Creates the buffer and queues the journal's unfinished operations before any mutation, so
     * they are written before newer operations of their keys.
     *
     * @throws IllegalArgumentException if the durability needs a journal and none was given
     */
    public WriteBehindBuffer<K, V> build() {
      if (config.durability() != Durability.NONE && journal == Journal.none()) {
        throw new IllegalArgumentException(
            "durability " + config.durability() + " needs a journal; none was given");
      }
      WriteBehindBuffer<K, V> buffer = new WriteBehindBuffer<>(this);
      buffer.recover();
      return buffer;
    }
  }
}
