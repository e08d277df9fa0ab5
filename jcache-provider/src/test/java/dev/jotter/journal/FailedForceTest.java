package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.Reservation;
import dev.jotter.writebehind.WriteBehindBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A force that fails (EIO) fails the journal for good. After a failed fsync the kernel may have
 * dropped the dirty pages and cleared the error, so the next fsync can report success for data
 * that never reached the disk (PostgreSQL's "fsyncgate"): the journal must never force again and
 * take that as success.
 */
class FailedForceTest {
  @TempDir Path dir;

  /** The real file system; file forces fail from the {@code failFrom}-th on, and are counted. */
  static final class FailingForces extends ForwardingJournalFiles {
    final AtomicInteger forces = new AtomicInteger();
    final AtomicInteger directoryForces = new AtomicInteger();
    volatile int failFrom = Integer.MAX_VALUE;
    volatile int failDirectoryFrom = Integer.MAX_VALUE;

    FailingForces() {
      super(JournalFiles.REAL);
    }

    @Override
    public void force(FileChannel channel, boolean metadata) throws IOException {
      if (forces.incrementAndGet() >= failFrom) {
        throw new IOException("Input/output error");
      }
      super.force(channel, metadata);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
      if (directoryForces.incrementAndGet() >= failDirectoryFrom) {
        throw new IOException("Input/output error");
      }
      super.forceDirectory(directory);
    }
  }

  private static void assertNamesTheFailure(RuntimeException e, String what) {
    String message = e.getMessage();
    assertTrue(message.contains("failed for good"), message);
    assertTrue(message.contains(what), message);
    assertTrue(message.contains("Input/output error"), message);
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertEquals("Input/output error", root.getMessage(), "the original IOException is the cause");
  }

  @Test
  void aFailedSyncForceFailsEveryLaterCallAndIsNeverRetried() {
    FailingForces files = new FailingForces();
    FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC)
        .syncInterval(Duration.ofHours(1)).files(files).withoutJournalThread().open();
    long first = journal.appendWrite("a", "1");
    journal.awaitDurable(first);
    files.failFrom = files.forces.get() + 1;
    long second = journal.appendWrite("b", "2");

    UncheckedIOException failed = assertThrows(UncheckedIOException.class,
        () -> journal.awaitDurable(second));
    String segment = Journals.segmentFiles(dir).get(0).getFileName().toString();
    assertTrue(failed.getMessage().contains(segment), failed.getMessage());
    int forcesAfterFailure = files.forces.get();

    assertNamesTheFailure(assertThrows(UncheckedIOException.class,
        () -> journal.awaitDurable(second)), segment);
    assertNamesTheFailure(assertThrows(UncheckedIOException.class,
        () -> journal.appendWrite("c", "3")), segment);
    assertThrows(UncheckedIOException.class, () -> journal.appendDelete("c"));
    assertThrows(UncheckedIOException.class, journal::forceNow);
    journal.markDone(first); // ignored: nothing more is written to a failed journal
    journal.maintain(true);
    assertTrue(journal.durableSequence() < second, "never taken as durable");
    assertThrows(UncheckedIOException.class, journal::close);
    assertEquals(forcesAfterFailure, files.forces.get(), "the failed force was never retried");

    try (FileJournal<String, String> reopened = Journals.builder(dir, Durability.SYNC).open()) {
      List<JournalRecord<String, String>> replayed = Journals.replay(reopened);
      assertEquals(first, replayed.get(0).sequence(), "what was durable is still there");
    }
  }

  @Test
  void aFailedBackgroundForceOfAnAsyncJournalFailsTheNextAppend() {
    FailingForces files = new FailingForces();
    files.failFrom = 1;
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .syncInterval(Duration.ofMillis(1)).files(files).open()) {
      // the segment header alone makes the journal dirty: the thread's first force may fail before
      // this append, which then already sees the failed journal
      try {
        journal.appendWrite("a", "1");
      } catch (UncheckedIOException failedAlready) {
        assertTrue(failedAlready.getMessage().contains("failed for good"),
            failedAlready.getMessage());
      }
      dev.jotter.Await.until("the journal thread's force failed", () -> files.forces.get() > 0);
      dev.jotter.Await.until("the journal failed", () -> {
        try {
          journal.appendWrite("probe", "x");
          return false;
        } catch (UncheckedIOException e) {
          return e.getMessage().contains("failed for good");
        }
      });
      assertEquals(1, files.forces.get(), "the journal thread did not force again");
    } catch (UncheckedIOException closeFailed) {
      assertTrue(closeFailed.getMessage().contains("final force"), closeFailed.getMessage());
    }
  }

  @Test
  void aFailedDirectoryForceFailsTheJournalToo() {
    FailingForces files = new FailingForces();
    files.failDirectoryFrom = 1;
    FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC)
        .syncInterval(Duration.ofHours(1)).files(files).withoutJournalThread().open();
    long seq = journal.appendWrite("a", "1");
    UncheckedIOException failed = assertThrows(UncheckedIOException.class,
        () -> journal.awaitDurable(seq));
    assertTrue(failed.getMessage().contains("directory"), failed.getMessage());
    assertNamesTheFailure(assertThrows(UncheckedIOException.class,
        () -> journal.appendWrite("b", "2")), dir.toString());
    assertThrows(UncheckedIOException.class, journal::close);
    assertEquals(1, files.directoryForces.get(), "never forced the directory again");
  }

  @Test
  void aSyncMutationOfAWriteBehindBufferIsNeverAcknowledgedAfterAFailedForce() {
    WriteBehindConfiguration settings = WriteBehindConfiguration.builder()
        .durability(Durability.SYNC).journalDirectory(dir).build();
    FailingForces files = new FailingForces();
    FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC)
        .syncInterval(Duration.ofHours(1)).files(files).open();
    WriteBehindBuffer<String, String> buffer = WriteBehindBuffer
        .<String, String>builder("eio", settings, new WriteBehindBufferJournalTest.AcceptingWriter())
        .journal(journal).build();
    try {
      files.failFrom = files.forces.get() + 1;
      Reservation first = buffer.reserve("k");
      buffer.write(first, "k", "v1");
      UncheckedIOException refused = assertThrows(UncheckedIOException.class,
          () -> buffer.release(first));
      assertTrue(refused.getMessage().contains("failed for good"), refused.getMessage());

      RuntimeException next = assertThrows(RuntimeException.class, () -> {
        Reservation second = buffer.reserve("k2");
        try {
          buffer.write(second, "k2", "v2");
        } finally {
          buffer.release(second);
        }
      });
      assertFalse(next.getMessage() == null, "says why");
      assertTrue(next.getMessage().contains("failed for good")
          || String.valueOf(next.getCause()).contains("failed for good"), next.toString());
    } finally {
      try {
        buffer.close();
      } catch (RuntimeException ignored) {
        // the journal's final force fails too: the point of this test
      }
    }
  }
}
