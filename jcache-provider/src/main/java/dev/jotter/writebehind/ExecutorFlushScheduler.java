package dev.jotter.writebehind;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The default {@link FlushScheduler}, on a pool of daemon threads and {@link System#nanoTime()}. */
final class ExecutorFlushScheduler implements FlushScheduler {
  private final ScheduledThreadPoolExecutor executor;

  ExecutorFlushScheduler(String cacheName, int threads) {
    AtomicInteger count = new AtomicInteger();
    executor = new ScheduledThreadPoolExecutor(threads, task -> {
      Thread thread = new Thread(task, "jotter-writebehind-" + cacheName + "-" + count.incrementAndGet());
      // pending operations are drained by close(), not by keeping the JVM alive
      thread.setDaemon(true);
      return thread;
    });
    // timers are worthless once the buffer is closed; keeping them would keep the threads alive
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    executor.shutdown();
  }
}
