package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import dev.jotter.writebehind.WriteBehindListener.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import org.jspecify.annotations.Nullable;

/**
 * Sends one batch to the {@link CacheWriter} and reports, operation by operation, what became of
 * it. Runs on a flusher thread, outside every lock of the buffer; the operations of a batch are
 * its own until it returns.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A batch is sent as one {@code deleteAll} and one {@code writeAll} (a key is at most once
 *       in a batch, so their order changes no key's order); never single {@code write} or
 *       {@code delete} (contract clause 4).
 *   <li>After a failed call, exactly what the writer left in the collection failed; the rest was
 *       written (clause 5). A writer that throws without touching the collection failed the whole
 *       call. Anything a writer throws is a failed call, never an escaping exception.
 *   <li>A call of several operations that fails as a whole is split in halves at once, and each
 *       half is sent on its own, until the failing operations are isolated: one poison record
 *       costs its batch at most about {@code 2 log2(batchSize)} extra calls, made without
 *       back-off, and never stalls the rest (clause 6). Both halves of a split are tried before
 *       either is split again. A split failure is not charged to the operations' retry budgets,
 *       since it is not known to be theirs; a failure the writer pinned on an operation (left in
 *       the collection, or a call of one alone) is.
 *   <li>When {@link WriterHealth} judges the writer down, splitting stops: every operation of
 *       the run that failed is charged (each was in a failed call), and the batch's other run, if
 *       not sent yet, stays unsent, without a charge, for the flusher to retry once its pause is
 *       over (no retry storm).
 * </ul>
 */
final class BatchSender<K, V> {
  private static final Logger logger = System.getLogger(BatchSender.class.getName());

  private final String cacheName;
  private final CacheWriter<K, V> writer;
  private final Ticker ticker;
  private final WriterHealth health;
  private final WriteBehindListener listener;
  private final LongAdder writerCalls;
  private final BooleanSupplier closed;

  /**
   * @param closed true once the buffer has closed and reported what it had not confirmed: no
   *     writer call starts after that (the journal replays those operations; a late call would
   *     only write them twice, after the user was told the cache had closed)
   */
  BatchSender(String cacheName, CacheWriter<K, V> writer, Ticker ticker, WriterHealth health,
      WriteBehindListener listener, LongAdder writerCalls, BooleanSupplier closed) {
    this.cacheName = cacheName;
    this.writer = writer;
    this.ticker = ticker;
    this.health = health;
    this.listener = listener;
    this.writerCalls = writerCalls;
    this.closed = closed;
  }

  /** What became of a batch. */
  static final class Result<K, V> {
    final List<Op<K, V>> written = new ArrayList<>();
    /** Failures charged to their operation, in the order they happened. */
    final List<Failure<K, V>> failed = new ArrayList<>(0);
    /** Operations not sent because the writer was judged down first. */
    final List<Op<K, V>> unsent = new ArrayList<>(0);
    /** Writer calls that wrote nothing; for the failure log. */
    int failedCalls;
    /** The exception of the first failed call, or {@code null} if none failed. */
    @Nullable Throwable firstCause;
    boolean writerDown;
  }

  /** A failure pinned on one operation. */
  record Failure<K, V>(Op<K, V> op, Throwable cause, long at) {}

  Result<K, V> send(List<Op<K, V>> batch) {
    List<Op<K, V>> deletes = new ArrayList<>(0);
    List<Op<K, V>> writes = new ArrayList<>(batch.size());
    for (Op<K, V> op : batch) {
      (op.isDelete() ? deletes : writes).add(op);
    }
    Result<K, V> result = new Result<>();
    sendRun(deletes, true, result);
    sendRun(writes, false, result);
    return result;
  }

  /**
   * Sends one run (all deletes or all writes), splitting whole failures breadth-first: both halves
   * of a failed call are tried before either is split again, so that an outage shows as two
   * disjoint halves failing after three calls, not after a descent of {@code log2(batchSize)}.
   */
  private void sendRun(List<Op<K, V>> run, boolean delete, Result<K, V> result) {
    if (run.isEmpty()) {
      return;
    }
    if (result.writerDown) {
      result.unsent.addAll(run);
      return;
    }
    ArrayDeque<List<Op<K, V>>> parts = new ArrayDeque<>();
    parts.add(run);
    while (!parts.isEmpty()) {
      List<Op<K, V>> part = parts.poll();
      if (closed.getAsBoolean()) {
        result.unsent.addAll(part);
        continue;
      }
      Call<K, V> call = call(part, delete);
      if (call.error == null) {
        result.written.addAll(part);
        health.onProgress();
        continue;
      }
      long now = ticker.read();
      result.failedCalls++;
      if (result.firstCause == null) {
        result.firstCause = call.error;
      }
      if (call.failed.size() < part.size()) {
        // the writer said which ones failed; the others are written
        Set<Op<K, V>> failed = new HashSet<>(call.failed);
        for (Op<K, V> op : part) {
          if (failed.contains(op)) {
            result.failed.add(new Failure<>(op, call.error, now));
          } else {
            result.written.add(op);
          }
        }
        health.onProgress();
      } else if (health.onWholeFailure(part, now)) {
        // down: what waits to be split failed inside an earlier call too; all of it is charged
        result.writerDown = true;
        charge(part, call.error, now, result);
        parts.forEach(rest -> charge(rest, call.error, now, result));
        parts.clear();
      } else if (part.size() == 1) {
        charge(part, call.error, now, result);
      } else {
        int half = (part.size() + 1) / 2;
        parts.add(new ArrayList<>(part.subList(0, half)));
        parts.add(new ArrayList<>(part.subList(half, part.size())));
      }
    }
  }

  private static <K, V> void charge(List<Op<K, V>> ops, Throwable cause, long now,
      Result<K, V> result) {
    for (Op<K, V> op : ops) {
      result.failed.add(new Failure<>(op, cause, now));
    }
  }

  /** What one writer call did: {@code error} is null if it wrote everything. */
  private record Call<K, V>(@Nullable Throwable error, List<Op<K, V>> failed) {}

  private Call<K, V> call(List<Op<K, V>> run, boolean delete) {
    // the run's keys for deleteAll, or its entries for writeAll; the other one stays empty
    List<Object> keysToDelete;
    List<Cache.Entry<? extends K, ? extends V>> entries;
    if (delete) {
      keysToDelete = new ArrayList<>(run.size());
      for (Op<K, V> op : run) {
        keysToDelete.add(op.key);
      }
      entries = List.of();
    } else {
      keysToDelete = List.of();
      entries = new ArrayList<>(run);
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
      return new Call<>(null, List.of());
    }
    // what the writer left in the collection failed (JCache partial-failure rule)
    Set<Object> leftKeys = new HashSet<>();
    if (delete) {
      leftKeys.addAll(keysToDelete);
    } else {
      entries.forEach(entry -> leftKeys.add(entry.getKey()));
    }
    List<Op<K, V>> failed = new ArrayList<>(leftKeys.size());
    for (Op<K, V> op : run) {
      if (leftKeys.contains(op.key)) {
        failed.add(op);
      }
    }
    notifyListener(run.size(), nanos,
        (failed.size() == run.size()) ? Outcome.FAILURE : Outcome.PARTIAL_FAILURE);
    if (failed.isEmpty()) {
      return new Call<>(null, List.of()); // it threw after writing everything: nothing to retry
    }
    return new Call<>(error, failed);
  }

  private void notifyListener(int size, long nanos, Outcome outcome) {
    try {
      listener.onBatch(size, nanos, outcome);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "Write-behind listener of cache '" + cacheName + "' failed", e);
    }
  }
}
