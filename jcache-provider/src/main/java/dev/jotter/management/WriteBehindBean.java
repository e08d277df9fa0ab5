package dev.jotter.management;

import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.WriteBehindListener;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link WriteBehindMXBean} of one cache, over its {@link WriteBehindMonitor}. It listens to
 * the writer calls for the averages, from its creation until {@link #close()}.
 */
public final class WriteBehindBean implements WriteBehindMXBean, AutoCloseable {

  /** How long {@link #flush()} waits. */
  static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

  private final WriteBehindMonitor monitor;
  private final LongAdder calls = new LongAdder();
  private final LongAdder entries = new LongAdder();
  private final LongAdder nanos = new LongAdder();
  private final WriteBehindListener listener = (size, time, outcome) -> {
    calls.increment();
    entries.add(size);
    nanos.add(time);
  };

  /** A bean over {@code monitor}; it starts listening at once. */
  public WriteBehindBean(WriteBehindMonitor monitor) {
    this.monitor = monitor;
    monitor.events().add(listener);
  }

  private WriteBehindStatistics statistics() {
    return monitor.statistics();
  }

  @Override
  public long getPendingOperations() {
    return statistics().pendingOperations();
  }

  @Override
  public double getOldestPendingAgeSeconds() {
    return statistics().oldestPendingAge().toNanos() / 1e9;
  }

  @Override
  public long getWritten() {
    return statistics().written();
  }

  @Override
  public long getCoalesced() {
    return statistics().coalesced();
  }

  @Override
  public long getRetried() {
    return statistics().retried();
  }

  @Override
  public long getFailed() {
    return statistics().failed();
  }

  @Override
  public long getDeadLettered() {
    return statistics().deadLettered();
  }

  @Override
  public long getLost() {
    return statistics().lost();
  }

  @Override
  public long getOverflowEvents() {
    return statistics().overflowEvents();
  }

  @Override
  public String getOverflowPolicy() {
    return monitor.overflowPolicy().name();
  }

  @Override
  public long getWriterCalls() {
    return statistics().writerCalls();
  }

  @Override
  public long getBatches() {
    return statistics().batches();
  }

  @Override
  public double getAverageBatchSize() {
    long count = calls.sum();
    return (count == 0) ? 0 : (double) entries.sum() / count;
  }

  @Override
  public double getAverageWriterCallMillis() {
    long count = calls.sum();
    return (count == 0) ? 0 : nanos.sum() / 1e6 / count;
  }

  @Override
  public int getDeadLetters() {
    return monitor.deadLetterCount();
  }

  @Override
  public boolean isJournaled() {
    return monitor.isJournaled();
  }

  @Override
  public long getJournalSyncs() {
    return monitor.journalSyncs();
  }

  @Override
  public long getJournalCorruptTailRecoveries() {
    return monitor.journalCorruptTailRecoveries();
  }

  @Override
  public boolean flush() {
    return monitor.flush(FLUSH_TIMEOUT);
  }

  @Override
  public boolean flush(long timeoutMillis) {
    return monitor.flush(Duration.ofMillis(Math.max(0, timeoutMillis)));
  }

  @Override
  public int resubmitDeadLetters() {
    return monitor.resubmitDeadLetters();
  }

  /** Stops listening to the writer calls. */
  @Override
  public void close() {
    monitor.events().remove(listener);
  }
}
