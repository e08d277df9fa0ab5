package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.Reservation;
import dev.jotter.writebehind.WriteBehindBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the write-behind buffer drives a real journal (the {@link Journal} seam's promises). */
class WriteBehindBufferJournalTest {
  @TempDir Path dir;

  /** Accepts everything. */
  static final class AcceptingWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }

  /**
   * A {@link FileJournal} whose DONE marks arrive late: each {@code markDone} first waits (at most
   * two seconds) until the test says {@code flush()} returned. A buffer that marks done before it
   * reports the operation written passes after that bounded wait; one that reports first fails.
   */
  static final class LateDoneJournal implements Journal<String, String> {
    final FileJournal<String, String> delegate;
    final CountDownLatch flushReturned = new CountDownLatch(1);
    final Set<Long> markedDone = ConcurrentHashMap.newKeySet();

    LateDoneJournal(FileJournal<String, String> delegate) {
      this.delegate = delegate;
    }

    @Override
    public long appendWrite(String key, String value) {
      return delegate.appendWrite(key, value);
    }

    @Override
    public long appendDelete(String key) {
      return delegate.appendDelete(key);
    }

    @Override
    public long appendDead(String key, String value, DeadMark mark) {
      return delegate.appendDead(key, value, mark);
    }

    @Override
    public void awaitDurable(long sequence) {
      delegate.awaitDurable(sequence);
    }

    @Override
    public void markDone(long sequence) {
      try {
        flushReturned.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      markedDone.add(sequence);
      delegate.markDone(sequence);
    }

    @Override
    public void replay(Consumer<JournalRecord<String, String>> sink) {
      delegate.replay(sink);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  void cleanCloseAfterFlushLeavesNothingToReplay() {
    WriteBehindConfiguration settings = WriteBehindConfiguration.builder()
        .durability(Durability.SYNC).journalDirectory(dir).maxWriteDelay(Duration.ofMillis(1))
        .build();
    LateDoneJournal journal = new LateDoneJournal(Journals.builder(dir, Durability.SYNC).open());
    WriteBehindBuffer<String, String> buffer = WriteBehindBuffer
        .<String, String>builder("late-done", settings, new AcceptingWriter())
        .journal(journal)
        .build();
    Reservation reservation = buffer.reserve("k");
    try {
      buffer.write(reservation, "k", "v");
    } finally {
      buffer.release(reservation);
    }
    long sequence = journal.delegate.lastSequence();

    assertTrue(buffer.flush(Duration.ofSeconds(10)).completed());
    boolean doneBeforeFlushReturned = journal.markedDone.contains(sequence);
    buffer.close();
    journal.flushReturned.countDown();

    assertTrue(doneBeforeFlushReturned,
        "flush() returned before the written operation was marked done in the journal");
    try (FileJournal<String, String> reopened = Journals.builder(dir, Durability.SYNC).open()) {
      assertEquals(0, reopened.pendingCount(), "a clean close left written operations to replay");
    }
  }
}
