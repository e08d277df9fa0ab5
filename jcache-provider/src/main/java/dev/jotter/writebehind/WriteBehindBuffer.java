package dev.jotter.writebehind;

import static java.util.Objects.requireNonNull;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.Ticker;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.DeadMark;
import dev.jotter.journal.Journal;
import dev.jotter.journal.JournalRecord;
import dev.jotter.writer.WriterRoute;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
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
 * <p>Guarantees (the numbers are the clauses of the write-behind contract); the part named keeps
 * each:
 * <ul>
 *   <li>1. {@code write}/{@code delete} return once the operation is queued (and journaled); they
 *       never wait for the writer, and writer exceptions never reach them. The one exception is
 *       a {@link OverflowPolicy#WRITE_THROUGH} reservation, which writes synchronously.
 *   <li>2, 3, 4. Order per key, coalescing, batches: {@link PendingQueue} and
 *       {@link BatchSender}. A failed operation is retried before any newer operation of its key
 *       is sent, or replaced by the newer one; it is never sent after a newer one.
 *   <li>5. Partial failure and splitting: {@link BatchSender}.
 *   <li>6. Retry and dead letters: a failed operation is retried after an exponential back-off
 *       with jitter until its key's budget ({@code maxAttempts}, {@code maxRetryTime}) is spent,
 *       counted from the key's first failure; a newer mutation coalesced into it or waiting
 *       behind it keeps that budget and is still tried, at least once. Then it becomes a
 *       {@link DeadLetter}, kept in the journal of a durable cache. Whether the writer is down
 *       or a key is poison: {@link WriterHealth}; only the former pauses the flusher.
 *   <li>7. {@link #pending} returns the newest unconfirmed state of a key, a dead letter
 *       included, so the cache can answer reads without its loader, whose database holds an
 *       older state.
 *   <li>8. At most {@code maxPendingOperations} operations are pending or in flight; a
 *       mutation that coalesces needs no slot. {@link #reserve} applies the overflow policy before
 *       the cache changes. (A reservation that expected to coalesce but found the key's operation
 *       sent meanwhile takes a slot anyway: the bound can be exceeded by at most one such
 *       racing mutation per thread; so can a write-through reservation whose key got an
 *       operation queued by another thread between {@link #reserve} and the per-key section: it
 *       queues behind it instead of waiting inside the section.)
 *   <li>9. {@link #flush} returns when everything queued before it is written or dead-lettered,
 *       and says which; {@link #close} drains within {@code drainTimeout} and reports the rest,
 *       with the dead letters a journal cannot keep, as lost.
 * </ul>
 *
 * <p>Implementation notes.
 *
 * <p><b>Concurrency.</b> One short lock guards the queue, the dead letters and the counters of
 * in-flight batches; it is held to queue an operation, to cut a batch, and to account for a
 * finished one, never across a writer call, a dead-letter handler call or a log line (those are
 * {@link Notices}, delivered in order after unlocking). Without a journal, a mutation of a key
 * whose newest operation still waits does not take it: it swaps the waiting operation's value
 * with a compare-and-set ({@link Op#tryCoalesce}), and the flusher seizes an operation under the
 * lock when it cuts it into a batch, so a swap either lands before the send or fails and queues
 * behind it. Slots are counted lock-free, so {@link #reserve} and {@link #release} take no lock
 * while the buffer has room. Up to {@code flusherThreads} batches are in flight at once (one while
 * the writer is down); a finished batch cuts the next one on its own thread, and a timer on the
 * {@link FlushScheduler} fires when the oldest operation's delay, a retry back-off, or the
 * flusher's pause ends.
 *
 * <p><b>Memory.</b> Operations are bounded by {@code maxPendingOperations}, dead letters by
 * {@code maxDeadLetters}; nothing else grows with the number of keys ever seen.
 *
 * <p><b>Time.</b> Every delay and deadline is read from the injected {@link Ticker} and fired by
 * the injected {@link FlushScheduler}; threads that wait (overflow, write-through, flush, close)
 * wait on a condition that a scheduler timer signals at their deadline.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class WriteBehindBuffer<K, V> implements WriteBehind<K, V> {
  private final String cacheName;
  private final WriteBehindConfiguration config;
  private final CacheWriter<K, V> writer;
  private final DeadLetterHandler<K, V> handler;
  private final Journal<K, V> journal;
  private final WriteBehindListener listener;
  private final Ticker ticker;
  private final FlushScheduler scheduler;
  private final Backoff backoff;
  private final long maxRetryNanos;
  private final long blockTimeoutNanos;
  private final boolean durable;
  /**
   * Whether a mutation may coalesce into its key's waiting operation without the lock (see
   * {@link Op#tryCoalesce}). Not with a journal, whose record of the new value needs the lock.
   */
  private final boolean coalescesWithoutLock;

  private final AtomicInteger usedSlots = new AtomicInteger();
  private final AtomicInteger blockedReservers = new AtomicInteger();

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when operations finish, slots free up, a deadline passes, or the buffer closes. */
  private final Condition changed = lock.newCondition();
  // guarded by the lock (the queue's pending() and waiting() excepted)
  private final PendingQueue<K, V> queue;
  private final DeadLetterStore<K, V> letters;
  private final List<FlushWatch> flushes = new ArrayList<>(1);
  private long nextLetterId;
  /** Letters being journaled outside the lock; they count against maxDeadLetters already. */
  private int lettersOnTheirWay;
  /** Operations ordered before this are due at once (flush, close). */
  private long forceBefore = Long.MIN_VALUE;
  private long timerAt = Long.MAX_VALUE;
  private int inFlightBatches;
  private volatile boolean closing;
  private long closeDeadline;
  /** Set by close() once it has reported; volatile for the flusher's check before each call. */
  private volatile boolean terminated;
  private CloseReport<K> closeReport;

  private final WriterHealth health;
  private final BatchSender<K, V> sender;
  private final FailureLog<K, V> log;
  private final Notices notices = new Notices();
  private final Counters counters = new Counters();
  /** A ticker time and the wall-clock time it was: how ticker times become instants. */
  private final long anchorTicks;
  private final Instant anchorWall;

  @SuppressWarnings("unchecked")
  private WriteBehindBuffer(Builder<K, V> b) {
    this.cacheName = b.cacheName;
    this.config = b.config;
    // the writer only consumes K and V, so viewing it as CacheWriter<K, V> is safe
    this.writer = (CacheWriter<K, V>) b.writer;
    this.handler = b.handler;
    this.journal = b.journal;
    this.listener = b.listener;
    this.ticker = b.ticker;
    this.scheduler = (b.scheduler == null)
        ? FlushScheduler.daemon(cacheName, config.flusherThreads())
        : b.scheduler;
    this.backoff = new Backoff(config);
    this.maxRetryNanos = saturatedNanos(config.maxRetryTime());
    this.blockTimeoutNanos = saturatedNanos(config.blockTimeout());
    this.durable = (b.journal != Journal.<K, V>none());
    this.coalescesWithoutLock = config.coalescing() && !durable;
    this.queue = new PendingQueue<>(config.coalescing(), config.batchSize(),
        config.maxWriteDelay().toNanos());
    this.letters = new DeadLetterStore<>(config.maxDeadLetters());
    this.health = new WriterHealth(backoff);
    this.sender = new BatchSender<>(cacheName, writer, ticker, health, listener,
        counters.writerCalls, () -> terminated);
    this.log = new FailureLog<>(cacheName, config, durable);
    this.anchorTicks = ticker.read();
    this.anchorWall = Instant.now();
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
  @Override
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

  /* ---------------- Mutations ---------------- */

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
    if (coalescesWithoutLock && queue.waiting(key) != null) {
      // expected to coalesce, so no slot: clause 8's race if the operation leaves meanwhile
      return new Reservation(false, false);
    }
    if (tryTakeSlot()) {
      return new Reservation(false, true);
    }
    counters.overflowEvents.increment();
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
   * Returns the newest state of {@code key} that the writer has not confirmed — pending, in
   * flight, awaiting a retry, or a dead letter — or {@code null} if the writer holds the newest
   * state. Takes no lock.
   */
  public WriterRoute.Pending<V> pending(K key) {
    WriterRoute.Pending<V> pending = queue.pending(key);
    return (pending != null) ? pending : letters.lookup(key);
  }

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
        } else if (queue.coalescable(key) != null) {
          return new Reservation(false, false);
        } else if (policy == OverflowPolicy.WRITE_THROUGH) {
          if (!queue.contains(key)) {
            return new Reservation(true, false);
          }
          awaitWriteThrough(key, deadline); // then look again: a slot may have freed up too
        } else if (policy == OverflowPolicy.FAIL
            || !await(() -> closing || usedSlots.get() < config.maxPendingOperations()
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
      blockedReservers.decrementAndGet();
      lock.unlock();
    }
  }

  private void apply(Reservation reservation, K key, V value) {
    requireNonNull(reservation, "reservation");
    requireNonNull(key, "key");
    if (coalescesWithoutLock && !reservation.writeThrough && !closing) {
      // the hot-key path: replace the waiting value in place; no lock, no queue change
      Op<K, V> op = queue.waiting(key);
      if ((op != null) && op.tryCoalesce(value)) {
        counters.coalesced.increment();
        return;
      }
    }
    Dispatch<K, V> next = Dispatch.none();
    boolean synchronous = false;
    // serialized before the buffer's lock, which every key's mutations share
    Journal.Prepared<K, V> prepared = durable ? journal.prepare(key, value) : null;
    lock.lock();
    try {
      checkNotTerminated();
      // reserve() waited until the key had nothing queued; a mutation of the key that slipped in
      // since then is queued and this one behind it, over the bound (clause 8), never waited for
      synchronous = reservation.writeThrough && !queue.contains(key);
      if (synchronous) {
        supersedeDeadLetter(key);
      } else {
        Op<K, V> replaced = queue.coalescable(key);
        long replacedSequence = (replaced == null) ? 0 : replaced.sequence;
        long sequence = (prepared == null) ? 0 : journal.append(prepared);
        reservation.journaled = true;
        reservation.sequence = sequence;
        supersedeDeadLetter(key);
        Op<K, V> op = queue.offer(key, value, sequence, ticker.read());
        if (op != replaced) {
          takeReservedSlot(reservation);
        } else {
          counters.coalesced.increment();
          // under the lock, like the append: a flush or close that follows must find it done
          journal.markDone(replacedSequence);
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
    notices.deliver();
  }

  /**
   * Waits, holding the lock, while the key's operation is in flight and the buffer full, so
   * write-through never reorders a key. Runs in {@link #reserve}, outside the cache's per-key
   * section, so the wait holds up no other key (and not the storage engine's lock of this one).
   */
  private void awaitWriteThrough(K key, long deadline) throws InterruptedException {
    if (!await(() -> closing || usedSlots.get() < config.maxPendingOperations()
        || queue.coalescable(key) != null || !queue.contains(key), deadline)) {
      throw new CacheWriterException("Write-through overflow of cache '" + cacheName
          + "' waited " + config.blockTimeout() + " for the pending operations of its key");
    }
  }

  private void writeSynchronously(K key, V value) {
    long start = ticker.read();
    counters.writerCalls.increment();
    try {
      if (value == null) {
        writer.delete(key);
      } else {
        writer.write(new Op<>(key, value, 0, -1, start));
      }
    } catch (RuntimeException e) {
      counters.failed.increment();
      listener.onBatch(1, ticker.read() - start, WriteBehindListener.Outcome.FAILURE);
      throw (e instanceof CacheWriterException) ? e : new CacheWriterException(e);
    }
    counters.written.increment();
    long nanos = ticker.read() - start;
    listener.onBatch(1, nanos, WriteBehindListener.Outcome.SUCCESS);
    listener.onConfirmed(nanos);
  }

  /** A mutation of a key makes its dead letter stale; under the lock, ordered with resubmission. */
  private void supersedeDeadLetter(K key) {
    if (!letters.isEmpty()) {
      DeadLetter<K, V> stale = letters.remove(key);
      if (stale != null) {
        journal.markDone(stale.sequence);
        notices.add(() -> handler.superseded(key));
      }
    }
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

  /* ---------------- Batches ---------------- */

  /**
   * Cuts the batches that may leave now and decides the next timer, under the lock; the caller
   * sends and schedules them with {@link #execute} after unlocking, so that neither the
   * scheduler (which users may supply) nor a rejected task ever runs under the lock.
   */
  private Dispatch<K, V> takeBatches() {
    if (terminated) {
      return Dispatch.none();
    }
    long now = ticker.read();
    List<List<Op<K, V>>> taken = List.of();
    boolean down = health.isDown();
    int permits = down ? 1 : config.flusherThreads();
    while (inFlightBatches < permits && now >= health.pausedUntil()) {
      // while the writer is down, one operation per pause probes it (see WriterHealth)
      List<Op<K, V>> batch = queue.cut(now, forceBefore, down ? 1 : config.batchSize());
      if (batch.isEmpty()) {
        break;
      }
      if (taken.isEmpty()) {
        taken = new ArrayList<>(1);
      }
      taken.add(batch);
      inFlightBatches++;
      counters.batches.increment();
    }
    long timer = nextTimer(now, permits);
    if (taken.isEmpty() && timer == Long.MAX_VALUE) {
      return Dispatch.none();
    }
    return new Dispatch<>(taken, timer, (timer == Long.MAX_VALUE) ? 0 : Math.max(0, timer - now));
  }

  /** When the next timer must fire, or {@code Long.MAX_VALUE} if none is needed. */
  private long nextTimer(long now, int permits) {
    if (inFlightBatches >= permits) {
      return Long.MAX_VALUE; // the next finished batch dispatches
    }
    long next = queue.nextDueAt(now, forceBefore);
    if (next == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    long at = Math.max(next, health.pausedUntil());
    // an earlier timer may still be outstanding; it finds nothing due, which is harmless
    if (at < timerAt) {
      timerAt = at;
      return at;
    }
    return Long.MAX_VALUE;
  }

  private void onTimer(long at) {
    Dispatch<K, V> next;
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

  /** Sends the batches and arms the timer of a {@link Dispatch}; outside the lock. */
  private void execute(Dispatch<K, V> next) {
    for (List<Op<K, V>> batch : next.batches()) {
      try {
        scheduler.execute(() -> send(batch));
      } catch (RejectedExecutionException e) {
        if (!closing) {
          throw e;
        } // else close() gave up on the batch between cutting and sending it: reported lost
      }
    }
    if (next.timerAt() != Long.MAX_VALUE) {
      long at = next.timerAt();
      try {
        scheduler.schedule(() -> onTimer(at), next.delayNanos());
      } catch (RejectedExecutionException e) {
        if (!closing) {
          throw e;
        } // else the scheduler closed after the drain: nothing is left to time
      }
    }
  }

  /**
   * What {@link #takeBatches} decided under the lock: batches to send, and the time of the timer
   * to arm ({@code Long.MAX_VALUE}: none) after {@code delayNanos}.
   */
  private record Dispatch<K, V>(List<List<Op<K, V>>> batches, long timerAt, long delayNanos) {
    private static final Dispatch<?, ?> NONE = new Dispatch<>(List.of(), Long.MAX_VALUE, 0);

    @SuppressWarnings("unchecked")
    static <K, V> Dispatch<K, V> none() {
      return (Dispatch<K, V>) NONE;
    }
  }

  /** Sends a batch on a flusher thread and accounts for what became of it. */
  private void send(List<Op<K, V>> batch) {
    BatchSender.Result<K, V> result = sender.send(batch);
    // before the lock, and so before flush() and close() see these operations finish
    long confirmedAt = ticker.read();
    try {
      for (Op<K, V> op : result.written) {
        listener.onConfirmed(confirmedAt - op.enqueuedAt);
      }
    } catch (RuntimeException e) {
      // a meter's failure must not leave the batch unaccounted
      notices.add(() -> { throw e; });
    }
    Dispatch<K, V> next = Dispatch.none();
    List<Op<K, V>> dying = new ArrayList<>(0);
    lock.lock();
    try {
      inFlightBatches--;
      if (!terminated) {
        long now = ticker.read();
        List<Op<K, V>> done = new ArrayList<>(batch.size());
        for (Op<K, V> op : result.written) {
          counters.written.increment();
          finish(op, now, Outcome.WRITTEN);
          done.add(op);
        }
        for (BatchSender.Failure<K, V> failure : result.failed) {
          failed(failure, now, done, dying);
        }
        for (Op<K, V> op : result.unsent) {
          queue.unsent(op, now);
        }
        log.batch(result, queue.hasRetries() || inFlightBatches > 0, counters.deadLettered.sum(),
            now, notices);
        next = takeBatches();
        // before waking flush() and close(): what they saw finish must be done in the journal
        done.forEach(op -> journal.markDone(op.sequence));
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    execute(next);
    if (!dying.isEmpty()) {
      deadLetter(dying);
    }
    notices.deliver();
  }

  /**
   * A failure charged to an operation: retry, hand over to a newer one, or (added to
   * {@code dying}, still in flight) become a dead letter.
   */
  private void failed(BatchSender.Failure<K, V> failure, long now, List<Op<K, V>> done,
      List<Op<K, V>> dying) {
    Op<K, V> op = failure.op();
    op.failed(failure.at(), failure.cause(), true);
    counters.failed.increment();
    op.notBefore = now + backoff.delayNanos(op.attempts, ThreadLocalRandom.current().nextDouble());
    boolean exhausted = isExhausted(op, now);
    Op<K, V> successor = queue.successor(op);
    if (successor != null && (config.coalescing() || exhausted)) {
      handOver(op, successor, exhausted, now);
      done.add(op);
    } else if (!exhausted) {
      counters.retried.increment();
      queue.retry(op, now);
    } else if (letters.size() + lettersOnTheirWay < letters.capacity()) {
      lettersOnTheirWay++;
      dying.add(op); // stays in flight: the key's next operation cannot overtake its letter
    } else {
      if (!op.parked) {
        op.parked = true;
        counters.deadLetterOverflow.increment();
      }
      log.deadLettersFull(op.key, letters.capacity(), notices);
      op.notBefore = now + config.maxBackoff().toNanos();
      queue.retry(op, now);
    }
  }

  /**
   * A failed operation gives way to the newer one waiting behind it, which decides the key's
   * final state and keeps the key's budget; if that budget is spent, it is still tried once: it
   * may be valid where the old value was not.
   */
  private void handOver(Op<K, V> op, Op<K, V> successor, boolean exhausted, long now) {
    successor.inherit(op);
    if (exhausted) {
      successor.attempts = Math.min(successor.attempts, config.maxAttempts() - 1);
      successor.notBefore = now;
    }
    counters.coalesced.increment();
    finish(op, now, Outcome.SUPERSEDED);
  }

  private boolean isExhausted(Op<K, V> op, long now) {
    return (op.attempts >= config.maxAttempts()) || (now - op.firstFailureAt >= maxRetryNanos);
  }

  /**
   * Turns operations whose budget is spent into dead letters. The journal record of each letter
   * is written, and made as durable as the journal makes mutations ({@code SYNC}: forced), outside
   * the lock and before the letter shows, so that a letter an operator has seen survives a crash;
   * meanwhile the operations stay in flight, so nothing of their keys overtakes them.
   */
  private void deadLetter(List<Op<K, V>> dying) {
    List<DeadLetter<K, V>> made = new ArrayList<>(dying.size());
    RuntimeException journalFailure = null;
    long newest = 0;
    for (Op<K, V> op : dying) {
      Throwable cause = op.lastFailure;
      String causeClass = (cause == null) ? "unknown" : cause.getClass().getName();
      String message = (cause == null) ? null : cause.getMessage();
      Instant first = wall(op.firstFailureAt);
      Instant last = wall(op.lastFailureAt);
      V value = op.value();
      long sequence = op.sequence;
      if (durable && journalFailure == null) {
        try {
          sequence = journal.appendDead(op.key, value,
              new DeadMark(op.attempts, first, last, causeClass, message));
          newest = Math.max(newest, sequence);
        } catch (RuntimeException e) {
          journalFailure = e;
        }
      }
      made.add((durable && journalFailure != null) ? null : new DeadLetter<>(origin, 0, sequence,
          op.key, value, op.attempts, first, last, causeClass, message, cause));
    }
    if (durable && journalFailure == null) {
      try {
        journal.awaitDurable(newest);
      } catch (RuntimeException e) {
        journalFailure = e;
        made.replaceAll(letter -> null);
      }
    }
    Dispatch<K, V> next = Dispatch.none();
    lock.lock();
    try {
      lettersOnTheirWay -= dying.size();
      if (!terminated) {
        long now = ticker.read();
        for (int i = 0; i < dying.size(); i++) {
          Op<K, V> op = dying.get(i);
          DeadLetter<K, V> letter = made.get(i);
          Op<K, V> successor = queue.successor(op);
          if (letter == null) {
            // the journal failed: keep the operation pending rather than hold a letter it lost
            log.deadLetterNotJournaled(op.key, journalFailure, notices);
            op.notBefore = now + config.maxBackoff().toNanos();
            queue.retry(op, now);
          } else if (successor != null) {
            // a newer mutation arrived meanwhile: the letter is stale before anyone saw it
            journal.markDone(letter.sequence);
            handOver(op, successor, true, now);
            journal.markDone(op.sequence);
          } else {
            // durable: ordered as journaled, which is the order a restart lists them in, even
            // when two flushers' letters reach this lock the other way round
            addLetter(letter.withId(durable ? letter.sequence : nextLetterId++));
            finish(op, now, Outcome.DEAD_LETTERED);
            journal.markDone(op.sequence);
          }
        }
        next = takeBatches();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    execute(next);
  }

  private void addLetter(DeadLetter<K, V> letter) {
    DeadLetter<K, V> previous = letters.add(letter);
    if (previous != null) {
      journal.markDone(previous.sequence);
    }
    counters.deadLettered.increment();
    log.deadLettered(letter, letters.size() == 1, notices);
    notices.add(() -> handler.deadLettered(letter));
  }

  /** The head of its key left the buffer: free its slot and tell the flushes waiting for it. */
  private void finish(Op<K, V> op, long now, Outcome outcome) {
    queue.finish(op, now);
    usedSlots.decrementAndGet();
    for (FlushWatch watch : flushes) {
      if (op.order < watch.barrier) {
        watch.count(outcome);
      }
    }
  }

  /* ---------------- Dead letters ---------------- */

  @Override
  public DeadLetters<K, V> deadLetters() {
    return deadLetterView;
  }

  private final DeadLetters<K, V> deadLetterView = new DeadLetters<>() {
    @Override
    public int size() {
      return locked(letters::size);
    }

    @Override
    public int capacity() {
      return letters.capacity();
    }

    @Override
    public List<DeadLetter<K, V>> list(int offset, int limit) {
      if (offset < 0 || limit < 0) {
        throw new IllegalArgumentException("offset and limit must be at least 0, were " + offset
            + " and " + limit);
      }
      return locked(() -> letters.list(offset, limit));
    }

    @Override
    public Optional<DeadLetter<K, V>> get(K key) {
      requireNonNull(key, "key");
      return Optional.ofNullable(locked(() -> letters.get(key)));
    }

    @Override
    public int resubmitAll() {
      return resubmitLetters(null);
    }

    @Override
    public int resubmit(Collection<? extends K> keys) {
      return resubmitLetters(requireNonNull(keys, "keys"));
    }

    @Override
    public int discardAll() {
      return discardLetters(null);
    }

    @Override
    public int discard(Collection<? extends K> keys) {
      return discardLetters(requireNonNull(keys, "keys"));
    }

    @Override
    public String toString() {
      return "DeadLetters[" + cacheName + ", " + size() + " of " + capacity() + "]";
    }
  };

  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  /** Where this buffer's letters go back to: {@link DeadLetter#resubmit}. */
  private final DeadLetter.Origin<K, V> origin = new DeadLetter.Origin<>() {
    @Override
    public String cacheName() {
      return cacheName;
    }

    @Override
    public boolean resubmit(DeadLetter<K, V> letter) {
      return resubmitLetters(List.of(letter.key()), letter) == 1;
    }
  };

  private int resubmitLetters(Collection<? extends K> keys) {
    return resubmitLetters(keys, null);
  }

  private int resubmitLetters(Collection<? extends K> keys, DeadLetter<K, V> only) {
    int resubmitted = 0;
    Dispatch<K, V> next = Dispatch.none();
    lock.lock();
    try {
      long now = ticker.read();
      for (DeadLetter<K, V> letter : letters.select(keys)) {
        if (closing || (only != null && letter.id != only.id)) {
          continue;
        }
        // an operator's act, rare: serializing under the lock keeps the letters' order simple
        long sequence = journal.append(journal.prepare(letter.key(), letter.value()));
        // beyond the bound if need be, as recovery does: the letter's value is held already, and
        // an operator who resubmits all letters after a fix must not have to repeat it until
        // they fit; mutations wait (overflow policy) until the backlog is under the bound again
        usedSlots.incrementAndGet();
        letters.remove(letter.key());
        journal.markDone(letter.sequence);
        queue.offer(letter.key(), letter.value(), sequence, now); // nothing queued: a new slot
        resubmitted++;
      }
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
    return resubmitted;
  }

  private int discardLetters(Collection<? extends K> keys) {
    List<K> discarded = new ArrayList<>();
    lock.lock();
    try {
      for (DeadLetter<K, V> letter : letters.select(keys)) {
        letters.remove(letter.key());
        journal.markDone(letter.sequence);
        discarded.add(letter.key());
      }
      counters.deadLettersDiscarded.add(discarded.size());
      if (!discarded.isEmpty()) {
        log.discarded(discarded, notices);
      }
    } finally {
      lock.unlock();
    }
    notices.deliver();
    return discarded.size();
  }

  @Override
  public KeyStatus<K, V> status(K key) {
    requireNonNull(key, "key");
    lock.lock();
    try {
      KeyQueue<K, V> keyQueue = queue.queue(key);
      if (keyQueue == null) {
        DeadLetter<K, V> letter = letters.get(key);
        return (letter == null) ? KeyStatus.confirmed(key) : KeyStatus.dead(letter);
      }
      long now = ticker.read();
      Op<K, V> head = keyQueue.head();
      Op<K, V> latest = keyQueue.latest;
      KeyStatus.State state = keyQueue.inFlight ? KeyStatus.State.WRITING
          : (head.isSuspect() && head.notBefore > now) ? KeyStatus.State.RETRYING
          : KeyStatus.State.WAITING;
      Throwable cause = head.lastFailure;
      return KeyStatus.pending(key, state, latest.isDelete(), latest.value(), keyQueue.ops.size(),
          head.attempts, wall(head.enqueuedAt),
          head.isSuspect() ? wall(head.firstFailureAt) : null,
          head.isSuspect() ? wall(head.lastFailureAt) : null,
          (cause == null) ? null : cause.getClass().getName()
              + ((cause.getMessage() == null) ? "" : ": " + DeadLetter.truncate(cause.getMessage())),
          (state == KeyStatus.State.RETRYING) ? wall(head.notBefore) : null);
    } finally {
      lock.unlock();
    }
  }

  /* ---------------- Flush and close ---------------- */

  /**
   * Returns when every operation queued before the call is written or dead-lettered. Retries
   * keep their back-off. Returns early, with the interrupt status set, if interrupted.
   */
  public FlushResult flush() {
    return flush(ChronoUnit.FOREVER.getDuration());
  }

  /**
   * Like {@link #flush()}, waiting at most {@code timeout}.
   *
   * @return how the operations queued before the call ended, and whether all of them did
   */
  @Override
  public FlushResult flush(Duration timeout) {
    long start = ticker.read();
    long deadline = deadlineAfter(saturatedNanos(timeout));
    FlushWatch watch;
    Dispatch<K, V> next;
    lock.lock();
    try {
      watch = new FlushWatch(queue.nextOrder());
      flushes.add(watch);
      forceBefore = Math.max(forceBefore, watch.barrier);
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
    lock.lock();
    try {
      try {
        await(() -> terminated || queue.flushedBefore(watch.barrier), deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      flushes.remove(watch);
      long pending = 0;
      for (Op<K, V> op : queue.live()) {
        if (op.order >= watch.barrier) {
          break;
        }
        pending++;
      }
      return new FlushResult(pending == 0, watch.written, watch.deadLettered, watch.superseded,
          pending, Duration.ofNanos(ticker.read() - start));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting reservations and sends everything queued at once, without waiting; the drain
   * timeout starts now. {@link #close()} then waits for it. Lets several caches drain at the same
   * time (JVM shutdown). Idempotent.
   */
  public void beginClose() {
    Dispatch<K, V> next;
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      closeDeadline = deadlineAfter(saturatedNanos(config.drainTimeout()));
      forceBefore = Long.MAX_VALUE;
      changed.signalAll(); // blocked reservers fail now
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
  }

  /**
   * Stops accepting reservations, sends everything queued, and waits up to {@code drainTimeout}
   * (from {@link #beginClose()}, if that came first) for it to be written or dead-lettered. What
   * is left, in flight included, is reported: kept in the journal of a durable cache, lost (and
   * counted) otherwise, with the dead letters a cache without a journal cannot keep; logged with
   * its keys, and to standard error as well during JVM shutdown, when logging may be gone.
   * Idempotent: later calls wait for the first one and return its report. Closes the journal and
   * the scheduler. (The buffer is not {@link AutoCloseable}, whose {@code close} cannot return
   * the report.)
   */
  public CloseReport<K> close() {
    beginClose();
    lock.lock();
    try {
      if (closeReport != null || terminated) {
        while (closeReport == null) {
          changed.awaitUninterruptibly();
        }
        return closeReport;
      }
      try {
        await(queue::isEmpty, closeDeadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (closeReport != null) {
        return closeReport; // another close() finished while this one waited
      }
      terminated = true;
      List<K> unconfirmed = new ArrayList<>(queue.size());
      for (Op<K, V> op : queue.live()) {
        op.seize(); // a racing lock-free coalesce now fails and sees the close
        unconfirmed.add(op.key);
      }
      closeReport = new CloseReport<>(unconfirmed.isEmpty(), unconfirmed.size(), unconfirmed,
          letters.size(), new ArrayList<>(letters.keys()), durable);
      counters.lost.add(closeReport.lost());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    log.closed(closeReport);
    notices.deliver();
    journal.close();
    scheduler.close();
    return closeReport;
  }

  @Override
  public WriteBehindStatistics statistics() {
    lock.lock();
    try {
      long now = ticker.read();
      Op<K, V> oldest = queue.oldest();
      Duration lag = (oldest == null) ? Duration.ZERO : Duration.ofNanos(now - oldest.enqueuedAt);
      long failingSince = health.failingSince();
      // with nothing left to write, nothing is failing: a dead-lettered poison row must not read
      // as a writer failing for hours
      return counters.snapshot(queue.size(), lag, letters.size(),
          (failingSince == Op.NEVER || queue.isEmpty())
              ? Duration.ZERO : Duration.ofNanos(now - failingSince));
    } finally {
      lock.unlock();
    }
  }

  /* ---------------- Recovery ---------------- */

  /** Queues the journal's unfinished operations and dead letters; before the buffer is published. */
  private void recover() {
    Dispatch<K, V> next;
    lock.lock();
    try {
      long now = ticker.read();
      long[] replayed = new long[2]; // operations, dead letters
      journal.replay(record -> {
        if (record.isDeadLetter()) {
          replayed[1]++;
          recoverDeadLetter(record, now);
          return;
        }
        replayed[0]++;
        supersedeDeadLetter(record.key());
        Op<K, V> replaced = queue.coalescable(record.key());
        long replacedSequence = (replaced == null) ? 0 : replaced.sequence;
        Op<K, V> op = queue.offer(record.key(), record.value(), record.sequence(), now);
        if (op != replaced) {
          usedSlots.incrementAndGet(); // recovered operations may exceed the bound: never drop them
        } else {
          journal.markDone(replacedSequence);
        }
      });
      if (durable) {
        log.recovered(replayed[0], queue.size(), replayed[1], letters.size(),
            journal.corruptTailRecoveries() + journal.corruptSegments(),
            journal.unreadableRecords(), notices);
      }
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    execute(next);
    notices.deliver();
  }

  private void recoverDeadLetter(JournalRecord<K, V> record, long now) {
    // a crash between a dead letter's record and its operation's DONE: the letter is newer
    for (Op<K, V> older : queue.discard(record.key())) {
      usedSlots.decrementAndGet();
      journal.markDone(older.sequence);
    }
    DeadMark mark = record.dead();
    DeadLetter<K, V> letter = new DeadLetter<>(origin, record.sequence(), record.sequence(),
        record.key(), record.value(), mark.attempts(), mark.firstFailure(), mark.lastFailure(),
        mark.causeClass(), mark.causeMessage(), null);
    DeadLetter<K, V> previous = letters.add(letter);
    if (previous != null) {
      journal.markDone(previous.sequence);
    }
  }

  /* ---------------- Helpers ---------------- */

  /**
   * Waits, holding the lock (exactly once), until {@code done} holds or the ticker passes
   * {@code deadline}. The wait is timed in real time too; a scheduler timer wakes it at the
   * deadline of a fake ticker.
   */
  private boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
    boolean timerSet = false;
    while (!done.getAsBoolean()) {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        return false;
      }
      if (!timerSet && (deadline != Long.MAX_VALUE)) {
        timerSet = true;
        // the scheduler may be the user's: never call it under the lock. Whatever changed while
        // the lock was free (the timer may even have fired) is seen by the checks above, again.
        lock.unlock();
        try {
          scheduler.schedule(this::signalChanged, remaining);
        } finally {
          lock.lock();
        }
        continue;
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

  /**
   * The wall-clock time of ticker time {@code at}: from one anchor, so that the same ticker time
   * always gives the same instant (a fake ticker included).
   */
  private Instant wall(long at) {
    return anchorWall.plusNanos(at - anchorTicks);
  }

  /** How an operation left the buffer. */
  enum Outcome { WRITTEN, DEAD_LETTERED, SUPERSEDED }

  /** What became of the operations a flush waits for; guarded by the buffer's lock. */
  private static final class FlushWatch {
    final long barrier;
    long written;
    long deadLettered;
    long superseded;

    FlushWatch(long barrier) {
      this.barrier = barrier;
    }

    void count(Outcome outcome) {
      switch (outcome) {
        case WRITTEN -> written++;
        case DEAD_LETTERED -> deadLettered++;
        case SUPERSEDED -> superseded++;
        default -> throw new AssertionError(outcome);
      }
    }
  }

  /**
   * Builds a {@link WriteBehindBuffer}. Only the cache name, configuration and writer are
   * required; the rest defaults to production choices.
   */
  public static final class Builder<K, V> {
    private final String cacheName;
    private final WriteBehindConfiguration config;
    private final CacheWriter<? super K, ? super V> writer;
    private DeadLetterHandler<K, V> handler = DeadLetterHandler.none();
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

    /** Hears about dead letters as they come and go; default none. */
    public Builder<K, V> deadLetterHandler(DeadLetterHandler<K, V> handler) {
      this.handler = requireNonNull(handler, "handler");
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
     * Creates the buffer and queues the journal's unfinished operations and dead letters before
     * any mutation, so they are written before newer operations of their keys.
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
