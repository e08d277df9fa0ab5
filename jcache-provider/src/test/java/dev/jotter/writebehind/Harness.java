package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A buffer on a fake ticker and a manual scheduler, with a recording writer and its dead letters,
 * plus the cache's side of the protocol (reserve, write or delete, release).
 */
final class Harness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  final FakeTicker ticker = new FakeTicker();
  final RecordingWriter writer = new RecordingWriter(ticker);
  final DeadLetters<String, String> deadLetters;
  final ExecutorService threads = Executors.newCachedThreadPool();
  final ManualScheduler scheduler;
  final WriteBehindConfiguration config;
  final WriteBehindBuffer<String, String> buffer;

  /** Small batches, no jitter, 100ms delay and initial back-off, 3 attempts. */
  static WriteBehindConfiguration.Builder defaults() {
    return WriteBehindConfiguration.builder()
        .batchSize(3).maxPendingOperations(100).maxWriteDelay(Duration.ofMillis(100))
        .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(10)).jitter(0)
        .maxAttempts(3).blockTimeout(Duration.ofSeconds(1)).drainTimeout(Duration.ofSeconds(5));
  }

  /** Flusher tasks run on the test thread, in {@link ManualScheduler#runDue}. */
  static Harness inline(WriteBehindConfiguration.Builder config) {
    return new Harness(config, false, b -> b);
  }

  /** Like {@link #inline(WriteBehindConfiguration.Builder)}, with more of the buffer's parts. */
  static Harness inline(WriteBehindConfiguration.Builder config,
      UnaryOperator<WriteBehindBuffer.Builder<String, String>> parts) {
    return new Harness(config, false, parts);
  }

  /** Flusher tasks run on real threads, so writer calls can overlap and flush() can block. */
  static Harness threaded(WriteBehindConfiguration.Builder config) {
    return new Harness(config, true, b -> b);
  }

  /** Like {@link #threaded(WriteBehindConfiguration.Builder)}, with more of the buffer's parts. */
  static Harness threaded(WriteBehindConfiguration.Builder config,
      UnaryOperator<WriteBehindBuffer.Builder<String, String>> parts) {
    return new Harness(config, true, parts);
  }

  private Harness(WriteBehindConfiguration.Builder config, boolean threaded,
      UnaryOperator<WriteBehindBuffer.Builder<String, String>> parts) {
    this.config = config.build();
    this.scheduler = threaded ? new ManualScheduler(ticker, threads) : new ManualScheduler(ticker);
    this.buffer = parts.apply(WriteBehindBuffer.<String, String>builder("test", this.config, writer)
        .ticker(ticker).scheduler(scheduler)).build();
    this.deadLetters = buffer.deadLetters();
  }

  /** A cache put: reserve, then write inside the (here trivial) per-key section, then release. */
  void put(String key, String value) {
    Reservation reservation = buffer.reserve(key);
    try {
      buffer.write(reservation, key, value);
    } finally {
      buffer.release(reservation);
    }
  }

  /** A cache remove. */
  void remove(String key) {
    Reservation reservation = buffer.reserve(key);
    try {
      buffer.delete(reservation, key);
    } finally {
      buffer.release(reservation);
    }
  }

  void advance(long millis) {
    scheduler.advance(Duration.ofMillis(millis));
  }

  <T> CompletableFuture<T> async(Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, threads);
  }

  CompletableFuture<Void> async(Runnable task) {
    return CompletableFuture.runAsync(task, threads);
  }

  /** Waits, with a deadline, for state that flusher threads change. */
  static void eventually(BooleanSupplier condition) {
    dev.jotter.Await.until("condition", condition);
  }

  /** Waits until a thread has armed a deadline timer beyond {@code before}, then returns. */
  void awaitTimer(int before) {
    eventually(() -> scheduler.timersScheduled() > before);
  }

  @Override
  public void close() {
    if (!scheduler.isClosed()) {
      // close() waits for the drain, which needs the fake clock moved if the writer still fails
      CompletableFuture<CloseReport<String>> closing = async(buffer::close);
      eventually(() -> {
        scheduler.advance(Duration.ofMillis(100));
        return closing.isDone();
      });
    }
    // writer calls outliving a test are interrupted; none should be left
    assertTrue(threads.shutdownNow().isEmpty());
  }
}
