package dev.jotter.writebehind;

/**
 * Runs the buffer's flusher tasks and timers. Injected so that tests run due tasks when they
 * advance a fake {@link dev.jotter.configuration.Ticker}; delays are measured in the time of the
 * buffer's ticker.
 *
 * <p>The buffer owns its scheduler and closes it after the drain.
 */
public interface FlushScheduler extends AutoCloseable {

  /**
   * Runs {@code task} soon on a flusher thread; a task may call the writer and block.
   *
   * @param task the flusher task
   */
  void execute(Runnable task);

  /**
   * Runs {@code task} once {@code delayNanos} have passed, on a thread of the scheduler. The
   * buffer calls it (as it calls {@link #execute}) outside its lock, so a slow scheduler delays
   * only the call that arms the timer, never another key's mutation.
   *
   * @param task the timer task
   * @param delayNanos the delay, in nanoseconds of the buffer's ticker
   */
  void schedule(Runnable task, long delayNanos);

  /** Stops accepting tasks; tasks already running finish in the background. */
  @Override
  void close();

  /**
   * Returns a scheduler on daemon threads named {@code jotter-writebehind-<cacheName>-<n>}: one
   * per flusher plus one, so that timers still fire while every flusher waits for the writer.
   *
   * @param cacheName names the threads
   * @param flusherThreads the cache's {@code flusherThreads}
   * @return the scheduler
   */
  static FlushScheduler daemon(String cacheName, int flusherThreads) {
    return new ExecutorFlushScheduler(cacheName, flusherThreads + 1);
  }
}
