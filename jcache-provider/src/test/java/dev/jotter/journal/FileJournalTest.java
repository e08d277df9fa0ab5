package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
  @TempDir Path dir;

  private static JournalRecord<String, String> write(long seq, String key, String value) {
    return new JournalRecord<>(seq, key, value);
  }

  @Test
  void appendedRecordsReplayInSequenceOrderAfterReopen() {
    long a;
    long b;
    long c;
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC).open()) {
      assertEquals(List.of(), Journals.replay(journal));
      a = journal.appendWrite("k1", "v1");
      b = journal.appendDelete("k2");
      c = journal.appendWrite("k1", "v2");
      journal.awaitDurable(c);
      assertTrue(a < b && b < c);
      assertEquals(3, journal.appendCount());
    }
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC).open()) {
      assertEquals(List.of(write(a, "k1", "v1"), write(b, "k2", null), write(c, "k1", "v2")),
          Journals.replay(journal));
    }
  }

  @Test
  void markDoneHidesRecordsFromReplay() {
    long b;
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC).open()) {
      long a = journal.appendWrite("a", "1");
      b = journal.appendWrite("b", "2");
      long c = journal.appendDelete("c");
      journal.markDone(a);
      journal.markDone(c);
      journal.markDone(c); // twice: ignored
      journal.markDone(12345); // unknown: ignored
      assertEquals(1, journal.pendingCount());
    }
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC).open()) {
      assertEquals(List.of(write(b, "b", "2")), Journals.replay(journal));
    }
  }

  @Test
  void markDoneOfANewerOperationFinishesTheOlderOnesOfItsKey() {
    long newest;
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC).open()) {
      long old1 = journal.appendWrite("k", "v1");
      long other = journal.appendWrite("x", "1");
      journal.appendDelete("k");
      newest = journal.appendWrite("k", "v3");
      // the engine confirmed v3 before its thread got to mark v1 replaced: v1 must not come back
      journal.markDone(newest - 1);
      assertEquals(2, journal.pendingCount());
      journal.markDone(old1); // late: ignored
    }
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC).open()) {
      List<JournalRecord<String, String>> replayed = Journals.replay(journal);
      assertEquals(List.of(write(newest - 2, "x", "1"), write(newest, "k", "v3")), replayed);
    }
  }

  @Test
  void replayKeepsEachKeysOrderAndMarkDoneDuringReplayWorks() {
    List<Long> seqs = new ArrayList<>();
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .segmentSize(300).open()) {
      for (int i = 0; i < 60; i++) {
        seqs.add((i % 3 == 2) ? journal.appendDelete("k" + (i % 4))
            : journal.appendWrite("k" + (i % 4), "v" + i));
      }
    }
    assertTrue(Journals.segmentFiles(dir).size() > 3, "rolled");
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .segmentSize(300).open()) {
      List<JournalRecord<String, String>> replayed = new ArrayList<>();
      journal.replay(r -> {
        replayed.add(r);
        journal.markDone(r.sequence()); // as the engine does when coalescing
      });
      assertEquals(seqs, replayed.stream().map(JournalRecord::sequence).toList());
      for (int i = 0; i < 60; i++) {
        JournalRecord<String, String> r = replayed.get(i);
        assertEquals("k" + (i % 4), r.key());
        assertEquals((i % 3 == 2) ? null : "v" + i, r.value());
      }
      assertEquals(0, journal.pendingCount());
      assertThrows(IllegalStateException.class, () -> journal.replay(r -> { }));
    }
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC).open()) {
      assertEquals(List.of(), Journals.replay(journal));
    }
  }

  @Test
  void sequencesContinueAfterReopenEvenWhenEverythingWasFinished() {
    long last;
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC).open()) {
      for (int i = 0; i < 10; i++) {
        journal.markDone(journal.appendWrite("k", "v"));
      }
      last = journal.appendWrite("k", "last");
      journal.markDone(last);
    }
    for (int run = 0; run < 3; run++) {
      try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC).open()) {
        Journals.replay(journal);
        long next = journal.appendWrite("k", "again");
        assertTrue(next > last, next + " > " + last);
        journal.markDone(next);
        journal.maintain(false);
        last = next;
      }
    }
  }

  @Test
  void segmentsRollAndFinishedOnesAreDeletedSoDiskStaysBounded() {
    try (FileJournal<String, String> journal = Journals.quiet(dir, 1024)) {
      String value = "x".repeat(40);
      for (int i = 0; i < 5000; i++) {
        long seq = journal.appendWrite("k" + (i % 50), value);
        journal.markDone(seq);
        if (i % 500 == 0) {
          journal.maintain(true);
          assertTrue(Journals.segmentFiles(dir).size() <= 6,
              () -> "segments: " + Journals.segmentFiles(dir));
        }
      }
      journal.maintain(true);
      assertTrue(journal.deletedSegments() > 100, "deleted " + journal.deletedSegments());
      assertTrue(Journals.segmentFiles(dir).size() <= 4, () -> "" + Journals.segmentFiles(dir));
      assertTrue(journal.diskBytes() <= 4 * 1024, "bytes " + journal.diskBytes());
    }
  }

  @Test
  void aLongPendingRecordIsCompactedInsteadOfPinningItsSegments() throws IOException {
    long poison;
    try (FileJournal<String, String> journal = Journals.quiet(dir, 1024)) {
      poison = journal.appendWrite("poison", "p".repeat(30));
      for (int i = 0; i < 3000; i++) {
        journal.markDone(journal.appendWrite("k" + (i % 20), "v".repeat(30)));
        if (i % 200 == 0) {
          journal.maintain(true);
        }
      }
      journal.maintain(true);
      assertTrue(journal.compactions() >= 1, "compactions " + journal.compactions());
      assertTrue(Journals.segmentFiles(dir).size() <= 5, () -> "" + Journals.segmentFiles(dir));
      assertEquals(1, journal.pendingCount());
      long oldest = Files.size(Journals.segmentFiles(dir).get(0));
      assertTrue(oldest < 200, "compacted segment holds only the poison record: " + oldest);
    }
    try (FileJournal<String, String> journal = Journals.quiet(dir, 1024)) {
      assertEquals(List.of(write(poison, "poison", "p".repeat(30))), Journals.replay(journal));
      assertEquals(0, journal.corruptSegments() + journal.corruptTailRecoveries());
    }
  }

  @Test
  void syncAcknowledgesOnlyAfterTheForce() throws Exception {
    CountDownLatch forcing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Journals.Forcer holding = channel -> {
      forcing.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      channel.force(false);
    };
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC)
        .syncInterval(Duration.ofHours(1)).files(Journals.forcing(holding)).open()) {
      long seq = journal.appendWrite("k", "v");
      long before = journal.syncCount();
      CompletableFuture<Void> ack = CompletableFuture.runAsync(() -> journal.awaitDurable(seq));
      assertTrue(forcing.await(30, TimeUnit.SECONDS));
      assertFalse(ack.isDone(), "acknowledged while the force was still running");
      assertTrue(journal.durableSequence() < seq);
      release.countDown();
      ack.get(30, TimeUnit.SECONDS);
      assertEquals(before + 1, journal.syncCount());
      assertTrue(journal.durableSequence() >= seq);
      journal.awaitDurable(seq); // already durable: no second force
      assertEquals(before + 1, journal.syncCount());
    }
  }

  @Test
  void groupCommitSharesForcesAmong16Threads() throws Exception {
    int threads = 16;
    int perThread = 150;
    // a force costs at least a millisecond, as on a real disk: on a device whose fsync is nearly
    // free (tmpfs, a write-back cache) callers would rarely overlap, and the share per force would
    // measure the device, not the group commit (the disk itself is measured by FsyncBenchmark)
    Journals.Forcer diskLike = channel -> {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
      channel.force(false);
      for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
    };
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC)
        .syncInterval(Duration.ofHours(1)).files(Journals.forcing(diskLike)).open()) {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        String key = "thread" + t;
        workers.add(CompletableFuture.runAsync(() -> {
          try {
            start.await();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          for (int i = 0; i < perThread; i++) {
            journal.awaitDurable(journal.appendWrite(key, "value" + i));
          }
        }, r -> new Thread(r).start()));
      }
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long acks = (long) threads * perThread;
      long syncs = journal.syncCount();
      System.out.printf("group commit: %d acknowledgements, %d fsyncs (%.1f acks per fsync), "
          + "%.0f acks/s, %.0f fsyncs/s%n", acks, syncs, (double) acks / syncs, acks / seconds,
          syncs / seconds);
      assertEquals(acks, journal.appendCount());
      assertTrue(syncs * 3 <= acks, "too many fsyncs: " + syncs + " for " + acks);
    }
  }

  @Test
  void singleThreadSyncRateOnThisDisk() {
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC)
        .syncInterval(Duration.ofHours(1)).open()) {
      int n = 200;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        journal.awaitDurable(journal.appendWrite("k", "v" + i));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("single thread SYNC: %d fsyncs in %.2fs = %.0f fsyncs/s%n",
          journal.syncCount(), seconds, journal.syncCount() / seconds);
      assertEquals(n, journal.syncCount(), "one thread: one force per acknowledgement");
    }
  }

  @Test
  void asyncForcesOncePerSyncIntervalOfItsTickerAndNotBefore() throws Exception {
    AtomicLong now = new AtomicLong();
    long interval = Duration.ofMillis(50).toNanos();
    List<String> threadNames = new CopyOnWriteArrayList<>();
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .syncInterval(Duration.ofNanos(interval)).ticker(now::get)
        .threads(task -> {
          Thread thread = new Thread(task, "journal-under-test");
          thread.setDaemon(true);
          threadNames.add(thread.getName());
          return thread;
        }).open()) {
      assertEquals(List.of("journal-under-test"), threadNames, "the injected factory's thread");
      Thread thread = journal.flusherThread();
      for (int round = 1; round <= 3; round++) {
        long seq = journal.appendWrite("k", "round" + round);
        journal.awaitDurable(seq); // ASYNC: returns at once
        // dirty, and its interval not over on the ticker: the thread waits, and forces nothing
        dev.jotter.Await.until("the journal thread waits for its interval",
            () -> thread.getState() == Thread.State.TIMED_WAITING);
        assertEquals(round - 1, journal.syncCount(), "no force before the interval");
        assertTrue(journal.durableSequence() < seq);

        now.addAndGet(interval);
        journal.wakeThread();
        assertTrue(journal.awaitSynced(seq, Duration.ofSeconds(30)), "forced once it is over");
        assertEquals(round, journal.syncCount(), "one force per interval");
      }
    }
  }

  @Test
  void asyncAppendIsInTheFileWhenItReturnsThoughNothingWasForced(@TempDir Path copy)
      throws IOException {
    // what a process crash leaves: the files as the kernel holds them, with no force and no close
    List<JournalRecord<String, String>> expected = new ArrayList<>();
    Journals.Forcer never = channel -> { };
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .syncInterval(Duration.ofHours(1)).files(Journals.forcing(never)).open()) {
      for (int i = 0; i < 50; i++) {
        long seq = journal.appendWrite("k" + (i % 7), "v" + i);
        journal.awaitDurable(seq);
        expected.add(write(seq, "k" + (i % 7), "v" + i));
        if (i % 10 == 9) {
          for (Path segment : Journals.segmentFiles(dir)) {
            Files.copy(segment, copy.resolve(segment.getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          try (FileJournal<String, String> reader = Journals.quiet(copy, 1 << 20)) {
            assertEquals(expected, Journals.replay(reader), "after append " + i);
          }
          Journals.deleteRecursively(copy);
          Files.createDirectories(copy);
        }
      }
    }
  }

  /**
   * ASYNC's write(2) runs in {@code awaitDurable} (the buffer's {@code release()}, after the key's
   * section), not in the append (under the buffer's lock): fails if the append writes to the file
   * again, or if {@code awaitDurable} stops writing.
   */
  @Test
  void asyncAppendReachesTheFileInAwaitDurableNotInTheAppend(@TempDir Path copy)
      throws IOException {
    Journals.Forcer never = channel -> { };
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .syncInterval(Duration.ofHours(1)).files(Journals.forcing(never)).open()) {
      long first = journal.appendWrite("k", "v1");
      journal.awaitDurable(first);
      long second = journal.appendWrite("k", "v2");
      long third = journal.appendWrite("j", "v3");
      assertEquals(List.of(write(first, "k", "v1")), replayCopy(copy),
          "an append only queues its bytes");
      journal.awaitDurable(second); // writes out everything queued, the later third too
      assertEquals(List.of(write(first, "k", "v1"), write(second, "k", "v2"),
          write(third, "j", "v3")), replayCopy(copy), "awaitDurable wrote them, in order");
    }
  }

  private List<JournalRecord<String, String>> replayCopy(Path copy) throws IOException {
    Journals.deleteRecursively(copy);
    Files.createDirectories(copy);
    for (Path segment : Journals.segmentFiles(dir)) {
      Files.copy(segment, copy.resolve(segment.getFileName()));
    }
    try (FileJournal<String, String> reader = Journals.quiet(copy, 1 << 20)) {
      return Journals.replay(reader);
    }
  }

  @Test
  void asyncDeadLetterIsInTheFileWhenItReturnsThoughNothingWasForced(@TempDir Path copy)
      throws IOException {
    DeadMark mark = new DeadMark(2, java.time.Instant.parse("2026-01-01T00:00:00Z"),
        java.time.Instant.parse("2026-01-01T00:00:01Z"), "java.sql.SQLException", "refused");
    Journals.Forcer never = channel -> { };
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .syncInterval(Duration.ofHours(1)).files(Journals.forcing(never)).open()) {
      long write = journal.appendWrite("k", "v");
      long dead = journal.appendDead("k", "v", mark);
      journal.awaitDurable(dead); // what the buffer's LetterDesk does before a letter shows
      journal.markDone(write); // not in the file yet: a DONE waits for the next write
      for (Path segment : Journals.segmentFiles(dir)) {
        Files.copy(segment, copy.resolve(segment.getFileName()));
      }
      try (FileJournal<String, String> reader = Journals.quiet(copy, 1 << 20)) {
        List<JournalRecord<String, String>> replayed = Journals.replay(reader);
        assertEquals(List.of(write(write, "k", "v"), new JournalRecord<>(dead, "k", "v", mark)),
            replayed, "both come back; the buffer keeps the newer, the dead letter");
      }
    }
  }

  @Test
  void asyncAwaitDurableReturnsWithoutForcing() {
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.ASYNC)
        .syncInterval(Duration.ofHours(1)).open()) {
      // let the journal thread do its first, immediate force of the new segment
      long first = journal.appendWrite("k", "v");
      journal.awaitDurable(first);
      long before = journal.syncCount();
      for (int i = 0; i < 100; i++) {
        journal.awaitDurable(journal.appendWrite("k", "v" + i));
      }
      assertTrue(journal.syncCount() <= before + 1);
    }
  }

  @Test
  void closeForcesIsIdempotentAndIgnoresLateMarkDone() {
    FileJournal<String, String> journal = Journals.quiet(dir, 4096);
    long seq = journal.appendWrite("k", "v");
    journal.close();
    assertTrue(journal.durableSequence() >= seq);
    journal.close();
    journal.markDone(seq); // a writer call that outlived the drain
    assertThrows(IllegalStateException.class, () -> journal.appendWrite("k", "w"));
    assertFalse(journal.flusherThread().isAlive());
    try (FileJournal<String, String> reopened = Journals.quiet(dir, 4096)) {
      assertEquals(List.of(write(seq, "k", "v")), Journals.replay(reopened));
    }
  }

  @Test
  void journalThreadIsANamedDaemon() {
    try (FileJournal<String, String> journal = Journals.quiet(dir, 4096)) {
      assertEquals("jotter-journal-" + dir.getFileName(), journal.flusherThread().getName());
      assertTrue(journal.flusherThread().isDaemon());
    }
  }

  @Test
  void tornTailIsCutAtTheLastGoodRecordAndReported() throws IOException {
    long a;
    long b;
    try (FileJournal<String, String> journal = Journals.quiet(dir, 1 << 20)) {
      a = journal.appendWrite("a", "1");
      b = journal.appendWrite("b", "2");
      journal.appendWrite("c", "3");
    }
    Path last = Collections.max(Journals.segmentFiles(dir));
    long size = Files.size(last);
    try (FileChannel channel = FileChannel.open(last, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(size - 3); // the crash tore the last record
    }
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger(FileJournal.class.getName());
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Level level = logger.getLevel();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
    try (FileJournal<String, String> journal = Journals.quiet(dir, 1 << 20)) {
      assertEquals(List.of(write(a, "a", "1"), write(b, "b", "2")), Journals.replay(journal));
      assertEquals(1, journal.corruptTailRecoveries());
    } finally {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(true);
      logger.setLevel(level);
    }
    long frame = RecordFormat.encodeOp(3, "c".getBytes(), "3".getBytes()).length;
    LogRecord warning = logged.stream().filter(r -> r.getLevel() == Level.WARNING)
        .findFirst().orElseThrow();
    String message = warning.getMessage();
    assertTrue(message.contains(last.toString()), message);
    assertTrue(message.contains("offset " + (size - frame)), message);
    assertTrue(message.contains((frame - 3) + " bytes dropped"), message);
    assertEquals(size - frame, Files.size(last));
    try (FileJournal<String, String> journal = Journals.quiet(dir, 1 << 20)) {
      assertEquals(2, Journals.replay(journal).size());
      assertEquals(0, journal.corruptTailRecoveries(), "repaired once, stays repaired");
    }
  }

  @Test
  void corruptionInAnOlderSegmentStopsThatSegmentButLaterOnesReplay() throws IOException {
    List<Long> seqs = new ArrayList<>();
    try (FileJournal<String, String> journal = Journals.quiet(dir, 256)) {
      for (int i = 0; i < 30; i++) {
        seqs.add(journal.appendWrite("k" + i, "value-" + i));
      }
    }
    List<Path> files = Journals.segmentFiles(dir);
    assertTrue(files.size() >= 4);
    Path victim = files.get(1);
    try (RandomAccessFile file = new RandomAccessFile(victim.toFile(), "rw")) {
      file.seek(RecordFormat.HEADER_SIZE + 20);
      int b = file.read();
      file.seek(RecordFormat.HEADER_SIZE + 20);
      file.write(b ^ 0x10);
    }
    long victimFirst = Journals.firstSequence(victim);
    long nextFirst = Journals.firstSequence(files.get(2));
    try (FileJournal<String, String> journal = Journals.quiet(dir, 256)) {
      List<Long> replayed = Journals.replay(journal).stream().map(JournalRecord::sequence)
          .toList();
      List<Long> expected = seqs.stream().filter(s -> s < victimFirst || s >= nextFirst).toList();
      assertEquals(expected, replayed);
      assertEquals(1, journal.corruptSegments());
      assertEquals(0, journal.corruptTailRecoveries());
    }
  }

  @Test
  void badConfigurationFailsWithTheSettingsName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Journals.builder(dir, Durability.NONE));
    assertTrue(e.getMessage().contains("NONE"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Journals.builder(dir, Durability.SYNC).segmentSize(10));
    assertTrue(e.getMessage().contains("segmentSize"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Journals.builder(dir, Durability.SYNC).syncInterval(Duration.ZERO));
    assertTrue(e.getMessage().contains("syncInterval"));
  }

  @Test
  void awaitingASequenceNeverAppendedFails() {
    try (FileJournal<String, String> journal = Journals.builder(dir, Durability.SYNC).open()) {
      journal.appendWrite("k", "v");
      assertThrows(IllegalArgumentException.class, () -> journal.awaitDurable(1_000_000));
      journal.awaitDurable(0); // NoJournal's sequence: nothing to wait for
    }
  }
}
