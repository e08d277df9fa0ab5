package dev.jotter.writebehind;

import static java.util.Objects.requireNonNull;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.Ticker;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.DeadMark;
import dev.jotter.journal.Journal;
import dev.jotter.journal.JournalRecord;
import dev.jotter.writebehind.Dispatcher.Dispatch;
import dev.jotter.writer.WriterRoute;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.jspecify.annotations.Nullable;

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
 *   <li>6. Retry and dead letters: {@link RetryPolicy} (back-off, the key's budget, hand-over to
 *       a newer operation) and {@link LetterDesk} (letters journaled before they show, bounded
 *       without dropping, the operator's view). Whether the writer is down or a key is poison:
 *       {@link WriterHealth}; only the former pauses the flusher ({@link Dispatcher}).
 *   <li>7. {@link #pending} returns the newest unconfirmed state of a key, a dead letter
 *       included, so the cache can answer reads without its loader, whose database holds an
 *       older state.
 *   <li>8. The bound and the overflow policy: {@link OverflowGate}, before the cache changes.
 *   <li>9. {@link #flush} returns when everything queued before it is written or dead-lettered,
 *       and says which; {@link #close} drains within {@code drainTimeout} and reports the rest,
 *       with the dead letters a journal cannot keep, as lost.
 * </ul>
 *
 * <p>Implementation notes.
 *
 * <p><b>Concurrency.</b> One short lock ({@link BufferLock}) guards the queue, the dead letters
 * and the dispatch state; it is held to queue an operation, to cut a batch, and to account for a
 * finished one, never across a writer call, a journal force, a dead-letter handler call, a
 * scheduler call or a log line (those are {@link Notices}, delivered in order after unlocking).
 * Without a journal, a mutation of a key whose newest operation still waits does not take it: it
 * swaps the waiting operation's value with a compare-and-set ({@link Op#tryCoalesce}), and the
 * flusher seizes an operation under the lock when it cuts it into a batch, so a swap either lands
 * before the send or fails and queues behind it. A durable cache serializes before the lock
 * ({@link Journal#prepare}). The buffer itself coordinates: it runs each step under the lock and
 * hands what was decided to the part that acts on it after unlocking.
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
  private final Journal<K, V> journal;
  private final WriteBehindListener listener;
  private final Ticker ticker;
  private final FlushScheduler scheduler;
  private final boolean durable;
  /**
   * Whether a mutation may coalesce into its key's waiting operation without the lock (see
   * {@link Op#tryCoalesce}). Not with a journal, whose record of the new value needs the lock.
   */
  private final boolean coalescesWithoutLock;

  private final BufferLock lock;
  // guarded by the lock (the queue's pending() and waiting() excepted)
  private final PendingQueue<K, V> queue;
  private final OverflowGate<K> gate;
  private final Dispatcher<K, V> dispatcher;
  private final RetryPolicy retry;
  private final LetterDesk<K, V> letters;
  private final List<FlushWatch> flushes = new ArrayList<>(1);
  private volatile boolean closing;
  private long closeDeadline;
  /** Set by close() once it has reported; volatile for the flusher's check before each call. */
  private volatile boolean terminated;
  /** What close() reported; null until then. */
  private @Nullable CloseReport<K> closeReport;

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
    this.journal = b.journal;
    this.listener = b.listener;
    this.ticker = b.ticker;
    this.scheduler = (b.scheduler == null)
        ? FlushScheduler.daemon(cacheName, config.flusherThreads())
        : b.scheduler;
    Backoff backoff = new Backoff(config);
    this.durable = (b.journal != Journal.<K, V>none());
    this.coalescesWithoutLock = config.coalescing() && !durable;
    this.lock = new BufferLock(ticker, scheduler);
    this.queue = new PendingQueue<>(config.coalescing(), config.batchSize(),
        config.maxWriteDelay().toNanos());
    this.gate = new OverflowGate<>(cacheName, config, queue, lock, coalescesWithoutLock,
        () -> closing, this::closed, counters.overflowEvents);
    this.health = new WriterHealth(backoff);
    this.dispatcher = new Dispatcher<>(queue, health, config, counters.batches, scheduler,
        () -> closing, this::send, this::onTimer);
    this.retry = new RetryPolicy(config, backoff, () -> ThreadLocalRandom.current().nextDouble());
    this.sender = new BatchSender<>(cacheName, writer, ticker, health, listener,
        counters.writerCalls, () -> terminated);
    this.log = new FailureLog<>(cacheName, config, durable);
    this.anchorTicks = ticker.read();
    this.anchorWall = Instant.now();
    this.letters = new LetterDesk<K, V>(cacheName, config.maxDeadLetters(), journal, durable,
        b.handler, log, notices, counters, lock, this::wall, this::resubmitLetters);
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
    return gate.reserve(requireNonNull(key, "key"));
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
    gate.giveBack(reservation);
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
  public WriterRoute.@Nullable Pending<V> pending(K key) {
    WriterRoute.Pending<V> pending = queue.pending(key);
    return (pending != null) ? pending : letters.lookup(key);
  }

  private void apply(Reservation reservation, K key, @Nullable V value) {
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
        letters.supersede(key);
      } else {
        Op<K, V> replaced = queue.coalescable(key);
        long replacedSequence = (replaced == null) ? 0 : replaced.sequence;
        long sequence = (prepared == null) ? 0 : journal.append(prepared);
        reservation.journaled = true;
        reservation.sequence = sequence;
        letters.supersede(key);
        Op<K, V> op = queue.offer(key, value, sequence, ticker.read());
        if (op != replaced) {
          gate.takeReserved(reservation);
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
    dispatcher.execute(next);
    notices.deliver();
  }

  private void writeSynchronously(K key, @Nullable V value) {
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

  /* ---------------- Batches ---------------- */

  /** Cuts the batches that may leave now, under the lock; see {@link Dispatcher}. */
  private Dispatch<K, V> takeBatches() {
    return terminated ? Dispatch.none() : dispatcher.take(ticker.read());
  }

  private void onTimer(long at) {
    Dispatch<K, V> next;
    lock.lock();
    try {
      dispatcher.timerFired(at);
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    dispatcher.execute(next);
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
      dispatcher.batchDone();
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
        log.batch(result, queue.hasRetries() || dispatcher.inFlight() > 0,
            counters.deadLettered.sum(),
            now, notices);
        next = takeBatches();
        // before waking flush() and close(): what they saw finish must be done in the journal
        done.forEach(op -> journal.markDone(op.sequence));
      }
      lock.signalAll();
    } finally {
      lock.unlock();
    }
    dispatcher.execute(next);
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
    counters.failed.increment();
    Op<K, V> successor = queue.successor(op);
    switch (retry.charge(op, failure.cause(), failure.at(), now, successor != null)) {
      case HAND_OVER -> { // only with a successor
        handOver(op, requireNonNull(successor, "successor"), retry.isExhausted(op, now), now);
        done.add(op);
      }
      case RETRY -> {
        counters.retried.increment();
        queue.retry(op, now);
      }
      case DEAD_LETTER -> {
        if (letters.claim()) {
          dying.add(op); // stays in flight: the key's next operation cannot overtake its letter
        } else {
          if (!op.parked) {
            op.parked = true;
            counters.deadLetterOverflow.increment();
          }
          log.deadLettersFull(op.key, letters.capacity(), notices);
          op.notBefore = retry.parkedRetryAt(now);
          queue.retry(op, now);
        }
      }
      default -> throw new AssertionError();
    }
  }

  /** A failed operation gives way to the newer one waiting behind it (see RetryPolicy). */
  private void handOver(Op<K, V> op, Op<K, V> successor, boolean exhausted, long now) {
    retry.handOver(op, successor, exhausted, now);
    counters.coalesced.increment();
    finish(op, now, Outcome.SUPERSEDED);
  }

  /**
   * Turns operations whose budget is spent into dead letters: journaled outside the lock by the
   * {@link LetterDesk}, then shown, unless a newer mutation of the key arrived meanwhile.
   */
  private void deadLetter(List<Op<K, V>> dying) {
    LetterDesk.Made<K, V> made = letters.journal(dying);
    Dispatch<K, V> next = Dispatch.none();
    lock.lock();
    try {
      letters.arrived(dying.size());
      if (!terminated) {
        long now = ticker.read();
        for (int i = 0; i < dying.size(); i++) {
          Op<K, V> op = dying.get(i);
          DeadLetter<K, V> letter = made.letters().get(i);
          Op<K, V> successor = queue.successor(op);
          if (letter == null) {
            // the journal failed: keep the operation pending rather than hold a letter it lost
            log.deadLetterNotJournaled(op.key, made.journalFailure(), notices);
            op.notBefore = retry.parkedRetryAt(now);
            queue.retry(op, now);
          } else if (successor != null) {
            // a newer mutation arrived meanwhile: the letter is stale before anyone saw it
            journal.markDone(letter.sequence);
            handOver(op, successor, true, now);
            journal.markDone(op.sequence);
          } else {
            letters.add(letter);
            finish(op, now, Outcome.DEAD_LETTERED);
            journal.markDone(op.sequence);
          }
        }
        next = takeBatches();
      }
      lock.signalAll();
    } finally {
      lock.unlock();
    }
    dispatcher.execute(next);
  }

  /** The head of its key left the buffer: free its slot and tell the flushes waiting for it. */
  private void finish(Op<K, V> op, long now, Outcome outcome) {
    queue.finish(op, now);
    gate.free();
    for (FlushWatch watch : flushes) {
      if (op.order < watch.barrier) {
        watch.count(outcome);
      }
    }
  }

  /* ---------------- Dead letters ---------------- */

  @Override
  public DeadLetters<K, V> deadLetters() {
    return letters.view;
  }

  /** Queues letters again with a fresh budget; see {@link DeadLetters#resubmitAll}. */
  private int resubmitLetters(@Nullable Collection<? extends K> keys,
      @Nullable DeadLetter<K, V> only) {
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
        gate.takeBeyondBound();
        letters.resubmitted(letter);
        queue.offer(letter.key(), letter.value(), sequence, now); // nothing queued: a new slot
        resubmitted++;
      }
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    dispatcher.execute(next);
    return resubmitted;
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
    long deadline = lock.deadlineAfter(BufferLock.saturatedNanos(timeout));
    FlushWatch watch;
    Dispatch<K, V> next;
    lock.lock();
    try {
      watch = new FlushWatch(queue.nextOrder());
      flushes.add(watch);
      dispatcher.forceBefore(watch.barrier);
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    dispatcher.execute(next);
    lock.lock();
    try {
      try {
        lock.await(() -> terminated || queue.flushedBefore(watch.barrier), deadline);
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
      closeDeadline = lock.deadlineAfter(BufferLock.saturatedNanos(config.drainTimeout()));
      dispatcher.forceBefore(Long.MAX_VALUE);
      lock.signalAll(); // blocked reservers fail now
      next = takeBatches();
    } finally {
      lock.unlock();
    }
    dispatcher.execute(next);
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
          lock.awaitSignal();
        }
        return closeReport;
      }
      try {
        lock.await(queue::isEmpty, closeDeadline);
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
      lock.signalAll();
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
        DeadMark dead = record.dead();
        if (dead != null) {
          replayed[1]++;
          recoverDeadLetter(record, dead);
          return;
        }
        replayed[0]++;
        letters.supersede(record.key());
        Op<K, V> replaced = queue.coalescable(record.key());
        long replacedSequence = (replaced == null) ? 0 : replaced.sequence;
        Op<K, V> op = queue.offer(record.key(), record.value(), record.sequence(), now);
        if (op != replaced) {
          gate.takeBeyondBound(); // recovered operations may exceed the bound: never drop them
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
    dispatcher.execute(next);
    notices.deliver();
  }

  private void recoverDeadLetter(JournalRecord<K, V> record, DeadMark dead) {
    // a crash between a dead letter's record and its operation's DONE: the letter is newer
    for (Op<K, V> older : queue.discard(record.key())) {
      gate.free();
      journal.markDone(older.sequence);
    }
    letters.recover(record, dead);
  }

  /* ---------------- Helpers ---------------- */

  /** Mutations holding a reservation are still queued while close() drains. */
  private void checkNotTerminated() {
    if (terminated) {
      throw closed();
    }
  }

  private IllegalStateException closed() {
    return new IllegalStateException("Write-behind buffer of cache '" + cacheName + "' is closed");
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
    /** The scheduler to use, or null for {@link FlushScheduler#daemon}. */
    private @Nullable FlushScheduler scheduler;

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
