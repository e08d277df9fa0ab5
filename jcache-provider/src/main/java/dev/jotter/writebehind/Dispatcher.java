package dev.jotter.writebehind;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Decides which batches leave a write-behind buffer and when its next timer fires, and hands
 * them to the {@link FlushScheduler}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>At most {@code flusherThreads} batches are in flight at once; while {@link WriterHealth}
 *       judges the writer down, one batch of one operation per pause probes it, and nothing
 *       leaves before the pause ends (no retry storm against a database that is down).
 *   <li>{@link #take} runs under the buffer's lock and only decides; {@link #execute} runs after
 *       unlocking, so neither the scheduler (which users may supply) nor a rejected task ever
 *       runs under the lock.
 *   <li>A timer is armed only when it would fire earlier than the one outstanding; a timer that
 *       finds nothing due is harmless, so none needs cancelling.
 *   <li>Once the buffer is closing, a task or timer the scheduler refuses is dropped: close()
 *       reports what was not confirmed.
 * </ul>
 */
final class Dispatcher<K, V> {
  private final PendingQueue<K, V> queue;
  private final WriterHealth health;
  private final int flusherThreads;
  private final int batchSize;
  private final LongAdder batches;
  private final FlushScheduler scheduler;
  private final BooleanSupplier closing;
  private final Consumer<List<Op<K, V>>> send;
  private final LongConsumer onTimer;
  // guarded by the buffer's lock
  private int inFlight;
  /** Operations ordered before this are due at once (flush, close). */
  private long forceBefore = Long.MIN_VALUE;
  private long timerAt = Long.MAX_VALUE;

  /**
   * @param send sends one batch; runs on a flusher thread
   * @param onTimer runs when a timer armed for the given time fires
   */
  Dispatcher(PendingQueue<K, V> queue, WriterHealth health, WriteBehindConfiguration config,
      LongAdder batches, FlushScheduler scheduler, BooleanSupplier closing,
      Consumer<List<Op<K, V>>> send, LongConsumer onTimer) {
    this.queue = queue;
    this.health = health;
    this.flusherThreads = config.flusherThreads();
    this.batchSize = config.batchSize();
    this.batches = batches;
    this.scheduler = scheduler;
    this.closing = closing;
    this.send = send;
    this.onTimer = onTimer;
  }

  /** What {@link #take} decided: batches to send, and the timer to arm (MAX_VALUE: none). */
  record Dispatch<K, V>(List<List<Op<K, V>>> batches, long timerAt, long delayNanos) {
    private static final Dispatch<?, ?> NONE = new Dispatch<>(List.of(), Long.MAX_VALUE, 0);

    @SuppressWarnings("unchecked")
    static <K, V> Dispatch<K, V> none() {
      return (Dispatch<K, V>) NONE;
    }
  }

  /** Cuts the batches that may leave now and decides the next timer; under the lock. */
  Dispatch<K, V> take(long now) {
    List<List<Op<K, V>>> taken = List.of();
    boolean down = health.isDown();
    int permits = down ? 1 : flusherThreads;
    while (inFlight < permits && now >= health.pausedUntil()) {
      List<Op<K, V>> batch = queue.cut(now, forceBefore, down ? 1 : batchSize);
      if (batch.isEmpty()) {
        break;
      }
      if (taken.isEmpty()) {
        taken = new ArrayList<>(1);
      }
      taken.add(batch);
      inFlight++;
      batches.increment();
    }
    long timer = nextTimer(now, permits);
    if (taken.isEmpty() && timer == Long.MAX_VALUE) {
      return Dispatch.none();
    }
    return new Dispatch<>(taken, timer, (timer == Long.MAX_VALUE) ? 0 : Math.max(0, timer - now));
  }

  private long nextTimer(long now, int permits) {
    if (inFlight >= permits) {
      return Long.MAX_VALUE; // the next finished batch dispatches
    }
    long next = queue.nextDueAt(now, forceBefore);
    if (next == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    long at = Math.max(next, health.pausedUntil());
    if (at < timerAt) {
      timerAt = at;
      return at;
    }
    return Long.MAX_VALUE;
  }

  /** The timer armed for {@code at} fired; under the lock. */
  void timerFired(long at) {
    if (timerAt == at) {
      timerAt = Long.MAX_VALUE;
    }
  }

  /** A batch came back from the writer; under the lock. */
  void batchDone() {
    inFlight--;
  }

  /** Makes every operation ordered before {@code barrier} due at once; under the lock. */
  void forceBefore(long barrier) {
    forceBefore = Math.max(forceBefore, barrier);
  }

  /** Batches in flight; under the lock. */
  int inFlight() {
    return inFlight;
  }

  /** Sends the batches and arms the timer of a {@link Dispatch}; outside the lock. */
  void execute(Dispatch<K, V> next) {
    for (List<Op<K, V>> batch : next.batches()) {
      try {
        scheduler.execute(() -> send.accept(batch));
      } catch (RejectedExecutionException e) {
        if (!closing.getAsBoolean()) {
          throw e;
        } // else close() gave up on the batch between cutting and sending it: reported lost
      }
    }
    if (next.timerAt() != Long.MAX_VALUE) {
      long at = next.timerAt();
      try {
        scheduler.schedule(() -> onTimer.accept(at), next.delayNanos());
      } catch (RejectedExecutionException e) {
        if (!closing.getAsBoolean()) {
          throw e;
        } // else the scheduler closed after the drain: nothing is left to time
      }
    }
  }
}
