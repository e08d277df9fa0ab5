package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A scheduler driven by the test: timers fire when {@link #advance} moves the fake ticker past
 * them. Flusher tasks run either on the thread that calls {@link #runDue} (deterministic) or,
 * for tests that need writer calls to overlap, on a real executor.
 */
final class ManualScheduler implements FlushScheduler {
  private final FakeTicker ticker;
  private final Executor executor;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long sequence;
  private int timersScheduled;
  private boolean closed;

  /** Runs flusher tasks in {@link #runDue}, on the test's thread. */
  ManualScheduler(FakeTicker ticker) {
    this(ticker, null);
  }

  /** Runs flusher tasks on {@code executor}; timers still wait for the fake ticker. */
  ManualScheduler(FakeTicker ticker, Executor executor) {
    this.ticker = ticker;
    this.executor = executor;
  }

  @Override
  public void execute(Runnable task) {
    if (executor == null) {
      enqueue(task, ticker.read(), false);
    } else {
      checkOpen();
      executor.execute(task);
    }
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    enqueue(task, ticker.read() + delayNanos, true);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** How many timers were ever scheduled: lets a test wait until a thread armed its deadline. */
  synchronized int timersScheduled() {
    return timersScheduled;
  }

  /** Runs every task due now, including those that running tasks queue. */
  void runDue() {
    for (Task task = pollDue(); task != null; task = pollDue()) {
      task.runnable.run();
    }
  }

  /**
   * Moves time forward, firing every timer at its own time on the way. Time never goes back: a
   * task that advanced the ticker itself (a writer call that takes time) moves the timers it
   * passed to its own time.
   */
  void advance(Duration duration) {
    long target = ticker.read() + duration.toNanos();
    for (;;) {
      runDue();
      long next = nextAt();
      if (next > target) {
        break;
      }
      ticker.set(Math.max(ticker.read(), next));
    }
    ticker.set(Math.max(ticker.read(), target));
    runDue();
  }

  private synchronized void enqueue(Runnable runnable, long at, boolean timer) {
    checkOpen();
    if (timer) {
      timersScheduled++;
    }
    tasks.add(new Task(runnable, at, sequence++));
  }

  private synchronized Task pollDue() {
    Task head = tasks.peek();
    return (head != null && head.at <= ticker.read()) ? tasks.poll() : null;
  }

  private synchronized long nextAt() {
    Task head = tasks.peek();
    return (head == null) ? Long.MAX_VALUE : head.at;
  }

  private synchronized void checkOpen() {
    if (closed) {
      throw new RejectedExecutionException("closed");
    }
  }

  private record Task(Runnable runnable, long at, long sequence) implements Comparable<Task> {
    @Override
    public int compareTo(Task other) {
      int byTime = Long.compare(at, other.at);
      return (byTime != 0) ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
