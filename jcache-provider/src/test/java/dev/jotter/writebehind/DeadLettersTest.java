package dev.jotter.writebehind;

import static dev.jotter.writebehind.Harness.defaults;
import static dev.jotter.writebehind.Harness.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.DeadMark;
import dev.jotter.journal.JournalRecord;
import dev.jotter.writebehind.WriteBehindBufferTest.RecordingJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Dead letters (contract clause 6) and the operator's view of them: bounded without dropping,
 * listed, resubmitted, discarded; what happened to a key; how a flush ended.
 */
class DeadLettersTest {

  /** Three attempts, no jitter: a poison key is a letter 100 + 200 + 400 ms after it is due. */
  private static Harness poisoned(WriteBehindConfiguration.Builder config, String... poison) {
    Harness h = Harness.inline(config.jitter(0));
    Set<String> keys = Set.of(poison);
    h.writer.poison = keys::contains;
    return h;
  }

  @Nested
  class Bounded {

    @Test
    void whenTheLettersAreFullASpentOperationStaysPendingAndIsCountedNotDropped() {
      try (Harness h = poisoned(defaults().maxDeadLetters(2).maxAttempts(2), "p1", "p2", "p3")) {
        h.put("p1", "1");
        h.put("p2", "2");
        h.put("p3", "3");
        h.advance(1_000);

        assertEquals(2, h.deadLetters.size());
        assertEquals(1, h.buffer.statistics().deadLetterOverflow());
        String parked = IntStream.rangeClosed(1, 3).mapToObj(i -> "p" + i)
            .filter(k -> h.deadLetters.get(k).isEmpty()).findFirst().orElseThrow();
        assertNotNull(h.buffer.pending(parked), "still the cache's pending state");
        assertEquals(1, h.buffer.statistics().pendingOperations());
        assertTrue(h.buffer.status(parked).state() != KeyStatus.State.DEAD_LETTER);

        h.advance(60_000); // retried every maxBackoff meanwhile, still counted once
        assertEquals(1, h.buffer.statistics().deadLetterOverflow());
        String letter = h.deadLetters.list().get(0).key();
        assertEquals(1, h.deadLetters.discard(List.of(letter)));
        h.advance(10_000); // at its next failure the parked operation finds room
        assertEquals(2, h.deadLetters.size());
        assertTrue(h.deadLetters.get(parked).isPresent());
        assertEquals(0, h.buffer.statistics().pendingOperations());
      }
    }

    @Test
    void theParkedOperationIsStillWrittenIfTheWriterRecovers() {
      try (Harness h = poisoned(defaults().maxDeadLetters(1).maxAttempts(1), "p1", "p2")) {
        h.put("p1", "1");
        h.advance(200);
        h.put("p2", "2");
        h.advance(200);
        assertEquals(1, h.buffer.statistics().deadLetterOverflow());
        h.writer.poison = key -> false;
        h.advance(60_000);
        assertEquals("2", h.writer.store.get("p2"));
        assertEquals(1, h.deadLetters.size());
      }
    }
  }

  @Nested
  class OperatorView {

    private Harness threeLetters() {
      Harness h = poisoned(defaults().maxAttempts(1), "a", "b", "c");
      h.put("a", "s3cret");
      h.remove("b");
      h.put("c", "3");
      h.advance(200);
      assertEquals(3, h.deadLetters.size());
      return h;
    }

    @Test
    void lettersAreListedOldestFirstInPages() {
      try (Harness h = threeLetters()) {
        List<String> all = h.deadLetters.list().stream().map(DeadLetter::key).toList();
        assertEquals(3, all.size());
        assertEquals(all.subList(0, 2), keys(h.deadLetters.list(0, 2)));
        assertEquals(all.subList(2, 3), keys(h.deadLetters.list(2, 2)));
        assertEquals(List.of(), h.deadLetters.list(3, 2));
        assertEquals(List.of(), h.deadLetters.list(0, 0));
        assertThrows(IllegalArgumentException.class, () -> h.deadLetters.list(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> h.deadLetters.list(0, -1));
        DeadLetter<String, String> b = h.deadLetters.get("b").orElseThrow();
        assertTrue(b.isDelete());
        assertNull(b.value());
        assertEquals(Optional.empty(), h.deadLetters.get("nope"));
        assertEquals(10_000, h.deadLetters.capacity());
      }
    }

    @Test
    void someKeysAreResubmittedAndOnlyThose() {
      try (Harness h = threeLetters()) {
        h.writer.poison = key -> false;
        assertEquals(2, h.deadLetters.resubmit(List.of("a", "b", "not-a-letter")));
        h.advance(100);
        assertEquals("s3cret", h.writer.store.get("a"));
        assertEquals(List.of("deleted"), h.writer.historyOf("b"));
        assertEquals(List.of("c"), keys(h.deadLetters.list()));
        assertEquals(1, h.deadLetters.resubmitAll());
        h.advance(100);
        assertEquals("3", h.writer.store.get("c"));
        assertEquals(0, h.deadLetters.size());
      }
    }

    @Test
    void allLettersAreResubmittedEvenBeyondTheBoundAndMutationsWaitForTheBacklog() {
      try (Harness h = poisoned(defaults().batchSize(1).maxPendingOperations(2).maxAttempts(1)
          .overflowPolicy(dev.jotter.configuration.OverflowPolicy.FAIL), "a", "b", "c")) {
        h.put("a", "1");
        h.put("b", "2");
        h.advance(200);
        h.put("c", "3");
        h.advance(200);
        assertEquals(3, h.deadLetters.size(), "three letters, from a buffer of two slots");
        h.writer.poison = key -> false;

        assertEquals(3, h.deadLetters.resubmitAll(), "one call resubmits them all");
        assertEquals(0, h.deadLetters.size());
        assertEquals(3, h.buffer.statistics().pendingOperations());
        assertThrows(CacheWriterException.class, () -> h.buffer.reserve("d"),
            "the backlog is over the bound: the overflow policy applies");
        h.advance(1_000);
        assertEquals(List.of("1", "2", "3"),
            List.of(h.writer.store.get("a"), h.writer.store.get("b"), h.writer.store.get("c")));
        h.put("d", "4"); // under the bound again
        h.advance(100);
        assertEquals("4", h.writer.store.get("d"));
      }
    }

    @Test
    void aResubmittedOperationHasAFreshBudget() {
      try (Harness h = threeLetters()) {
        assertEquals(1, h.deadLetters.resubmit(List.of("a"))); // still poison
        assertEquals(KeyStatus.State.WAITING, h.buffer.status("a").state());
        assertEquals(0, h.buffer.status("a").attempts());
        h.advance(200);
        assertEquals(1, h.deadLetters.get("a").orElseThrow().attempts(), "dead again, budget 1");
      }
    }

    @Test
    void discardingIsCountedAndLeavesTheOthers() {
      try (Harness h = threeLetters()) {
        assertEquals(1, h.deadLetters.discard(List.of("b")));
        assertEquals(0, h.deadLetters.discard(List.of("b")), "gone already");
        assertEquals(List.of("a", "c"), keys(h.deadLetters.list()).stream().sorted().toList());
        assertEquals(2, h.deadLetters.discardAll());
        assertEquals(3, h.buffer.statistics().deadLettersDiscarded());
        assertEquals(0, h.buffer.statistics().deadLetters());
        assertEquals(KeyStatus.State.CONFIRMED, h.buffer.status("a").state());
      }
    }

    @Test
    void aStaleLetterIsNeverResubmitted() {
      try (Harness h = threeLetters()) {
        DeadLetter<String, String> a = h.deadLetters.get("a").orElseThrow();
        h.writer.poison = key -> false;
        assertTrue(a.resubmit());
        assertFalse(a.resubmit(), "once");
        h.advance(100);
        h.writer.poison = "a"::equals;
        h.put("a", "2");
        h.advance(200);
        DeadLetter<String, String> again = h.deadLetters.get("a").orElseThrow();
        assertFalse(a.resubmit(), "the first letter of a is stale: its key has a newer one");
        assertEquals("2", again.value());
      }
    }

    @Test
    void aLetterTellsWhyAndWhenWithoutShowingTheValue() {
      try (Harness h = threeLetters()) {
        DeadLetter<String, String> a = h.deadLetters.get("a").orElseThrow();
        assertEquals(CacheWriterException.class.getName(), a.causeClass());
        assertEquals(Optional.of("poison left in the collection"), a.causeMessage());
        assertFalse(a.firstFailure().isAfter(a.lastFailure()));
        assertFalse(a.toString().contains("s3cret"), a.toString());
        assertTrue(a.toString().contains("write a"), a.toString());
      }
    }
  }

  @Nested
  class WhatHappenedToAKey {

    @Test
    void statusFollowsAKeyFromWaitingToDeadLetter() throws Exception {
      try (Harness h = poisoned(defaults().maxAttempts(2), "k")) {
        assertEquals(KeyStatus.State.CONFIRMED, h.buffer.status("k").state());
        h.put("k", "1");
        KeyStatus<String, String> waiting = h.buffer.status("k");
        assertEquals(KeyStatus.State.WAITING, waiting.state());
        assertEquals(Optional.of("1"), waiting.value());
        assertEquals(1, waiting.queuedOperations());
        assertEquals(0, waiting.attempts());
        assertTrue(waiting.acceptedAt().isPresent());

        h.advance(100); // first attempt fails
        KeyStatus<String, String> retrying = h.buffer.status("k");
        assertEquals(KeyStatus.State.RETRYING, retrying.state());
        assertEquals(1, retrying.attempts());
        assertEquals(Optional.of(CacheWriterException.class.getName()
            + ": poison left in the collection"), retrying.lastCause());
        Instant next = retrying.nextAttempt().orElseThrow();
        assertEquals(Duration.ofMillis(100), Duration.between(retrying.lastFailure().orElseThrow(),
            next), "initialBackoff");

        h.advance(100);
        KeyStatus<String, String> dead = h.buffer.status("k");
        assertEquals(KeyStatus.State.DEAD_LETTER, dead.state());
        assertEquals(2, dead.attempts());
        assertTrue(dead.deadLetter().isPresent());
        assertFalse(dead.toString().contains("=1"), "no value in " + dead);
      }
    }

    @Test
    void statusShowsAKeyWithTheWriter() throws Exception {
      try (Harness h = Harness.threaded(defaults())) {
        CompletableFuture<Void> release = new CompletableFuture<>();
        h.writer.onCall = call -> release.join();
        h.put("k", "1");
        h.advance(100);
        eventually(() -> h.buffer.status("k").state() == KeyStatus.State.WRITING);
        h.put("k", "2");
        assertEquals(2, h.buffer.status("k").queuedOperations());
        assertEquals(Optional.of("2"), h.buffer.status("k").value(), "the newest state");
        release.complete(null);
        h.buffer.flush(Harness.WAIT);
        assertEquals(KeyStatus.State.CONFIRMED, h.buffer.status("k").state());
      }
    }
  }

  @Nested
  class FlushAccount {

    @Test
    void flushSaysWhatWasWrittenAndWhatWasDeadLettered() throws Exception {
      // a batch of 10 and a fake clock: nothing leaves before the flush sends it
      try (Harness h = Harness.threaded(defaults().batchSize(10).maxAttempts(1).jitter(0))) {
        h.writer.poison = "bad"::equals;
        h.put("a", "1");
        h.put("bad", "1");
        h.remove("c");
        FlushResult result = h.buffer.flush(Harness.WAIT);
        assertTrue(result.completed(), result.toString());
        assertEquals(2, result.written(), result.toString());
        assertEquals(1, result.deadLettered(), result.toString());
        assertEquals(0, result.pending());
        assertFalse(result.allWritten(), "a dead letter is not written");
      }
    }

    @Test
    void aFlushThatTimesOutSaysWhatIsStillPending() throws Exception {
      try (Harness h = Harness.threaded(defaults().maxAttempts(100))) {
        h.writer.failNextCalls.set(Integer.MAX_VALUE);
        h.put("a", "1");
        h.put("b", "1");
        int timers = h.scheduler.timersScheduled();
        CompletableFuture<FlushResult> flushing = h.async(() -> h.buffer.flush(Duration.ofSeconds(1)));
        h.awaitTimer(timers);
        h.advance(1_000);
        FlushResult result = flushing.get(Harness.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(result.completed());
        assertEquals(2, result.pending(), result.toString());
        assertEquals(0, result.written());
        h.writer.failNextCalls.set(0);
      }
    }

    @Test
    void aFlushCountsOnlyWhatWasAcknowledgedBeforeIt() throws Exception {
      try (Harness h = Harness.threaded(defaults().batchSize(10))) {
        h.put("a", "1");
        h.buffer.flush(Harness.WAIT);
        h.put("b", "1");
        FlushResult second = h.buffer.flush(Harness.WAIT);
        assertEquals(1, second.written(), "a was written by the first flush: " + second);
      }
    }
  }

  @Nested
  class Handler {

    @Test
    void theHandlerHearsOfLettersInOrderAndOutsideTheBuffersLock() throws Exception {
      List<String> heard = Collections.synchronizedList(new ArrayList<>());
      Harness[] self = new Harness[1];
      DeadLetterHandler<String, String> handler = new DeadLetterHandler<>() {
        @Override
        public void deadLettered(DeadLetter<String, String> letter) {
          // another thread reads the buffer: it would wait forever if the lock were held here
          CompletableFuture<Integer> other = CompletableFuture.supplyAsync(
              () -> self[0].buffer.deadLetters().size());
          heard.add("dead " + letter.key() + " seen " + other.orTimeout(10, TimeUnit.SECONDS).join());
        }

        @Override
        public void superseded(String key) {
          heard.add("superseded " + key);
        }
      };
      try (Harness h = Harness.inline(defaults().maxAttempts(1), b -> b.deadLetterHandler(handler))) {
        self[0] = h;
        h.writer.poison = "k"::equals;
        h.put("k", "1");
        h.advance(100);
        h.writer.poison = key -> false;
        h.put("k", "2");
        assertEquals(List.of("dead k seen 1", "superseded k"), heard);
      }
    }

    @Test
    void aFailingHandlerDoesNotLoseTheLetter() {
      try (Harness h = Harness.inline(defaults().maxAttempts(1), b -> b.deadLetterHandler(letter -> {
        throw new IllegalStateException("alerting is down");
      }))) {
        h.writer.poison = "k"::equals;
        h.put("k", "1");
        h.advance(100);
        assertEquals(1, h.deadLetters.size());
      }
    }
  }

  @Nested
  class Journal {

    @Test
    void aDeadLetterIsJournaledAndItsOperationMarkedDone() {
      RecordingJournal journal = new RecordingJournal(List.of());
      try (Harness h = Harness.inline(defaults().maxAttempts(2)
          .durability(dev.jotter.configuration.Durability.SYNC)
          .journalDirectory(java.nio.file.Path.of("unused")), b -> b.journal(journal))) {
        h.writer.poison = "k"::equals;
        h.put("k", "1");
        h.advance(1_000);
        assertEquals(List.of("k=1", "dead k=1 after 2"), journal.appended);
        assertEquals(Set.of(1L), journal.done, "the operation's record is done, the letter's not");
        assertEquals(2L, h.deadLetters.get("k").orElseThrow().sequence);

        assertEquals(1, h.deadLetters.discardAll());
        assertEquals(Set.of(1L, 2L), journal.done, "a discarded letter is done in the journal");
      }
    }

    @Test
    void lettersAreListedInTheirJournalsOrderEvenWhenTheyShowTheOtherWayRound() throws Exception {
      CountDownLatch bShows = new CountDownLatch(1);
      long[] aLetter = new long[1];
      RecordingJournal journal = new RecordingJournal(List.of()) {
        @Override
        public synchronized long appendDead(String key, String value, DeadMark mark) {
          long sequence = super.appendDead(key, value, mark);
          if (key.equals("a")) {
            aLetter[0] = sequence;
          }
          return sequence;
        }

        @Override
        public void awaitDurable(long sequence) {
          super.awaitDurable(sequence);
          if (sequence == aLetter()) { // a's letter is journaled first but is forced last
            await(bShows);
          }
        }

        private synchronized long aLetter() {
          return aLetter[0];
        }
      };
      try (Harness h = Harness.threaded(defaults().batchSize(1).flusherThreads(2).maxAttempts(1)
          .durability(dev.jotter.configuration.Durability.SYNC)
          .journalDirectory(java.nio.file.Path.of("unused")), b -> b.journal(journal))) {
        h.writer.poison = Set.of("a", "b")::contains;
        h.put("a", "1");
        h.advance(100); // a's batch fails on one flusher, which journals a's letter, then waits
        eventually(() -> journal.appended.contains("dead a=1 after 1"));
        h.put("b", "2");
        h.advance(100);
        eventually(() -> h.deadLetters.get("b").isPresent());
        bShows.countDown();
        eventually(() -> h.deadLetters.get("a").isPresent());

        assertEquals(List.of("a", "b"), keys(h.deadLetters.list()),
            "as the journal holds them, and so as they are listed after a restart");
        assertEquals(List.of("a", "b"), keys(h.deadLetters.list(0, 2)));
      }
    }

    private static void await(CountDownLatch latch) {
      try {
        if (!latch.await(30, TimeUnit.SECONDS)) {
          throw new AssertionError("b's letter never showed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Test
    void aCrashBetweenALettersRecordAndItsOperationsDoneMarkReplaysTheLetter() {
      DeadMark mark = new DeadMark(3, Instant.parse("2026-01-01T00:00:00Z"),
          Instant.parse("2026-01-01T00:01:00Z"), "java.sql.SQLException", "constraint");
      RecordingJournal journal = new RecordingJournal(List.of(
          new JournalRecord<>(1, "k", "1"), new JournalRecord<>(2, "k", "1", mark),
          new JournalRecord<>(3, "other", "x", mark), new JournalRecord<>(4, "other", "y")));
      try (Harness h = Harness.inline(defaults().durability(dev.jotter.configuration.Durability.SYNC)
          .journalDirectory(java.nio.file.Path.of("unused")), b -> b.journal(journal))) {
        WriteBehindBuffer<String, String> buffer = h.buffer;
        DeadLetter<String, String> k = buffer.deadLetters().get("k").orElseThrow();
      assertEquals(3, k.attempts());
      assertEquals("java.sql.SQLException", k.causeClass());
      assertEquals(Optional.of("constraint"), k.causeMessage());
      assertEquals(Optional.empty(), k.cause(), "only class and message survive a restart");
      assertEquals(KeyStatus.State.DEAD_LETTER, buffer.status("k").state(),
          "the letter is newer than the pending record");
      assertSame(k, buffer.pending("k"));
      assertTrue(journal.done.contains(1L));
      assertEquals(Optional.empty(), buffer.deadLetters().get("other"), "superseded by y");
      assertEquals("y", buffer.pending("other").value());
      assertTrue(journal.done.contains(3L));
      }
    }
  }

  @Test
  void closingACacheWithoutAJournalReportsItsLettersLost() {
    try (Harness h = poisoned(defaults().maxAttempts(1), "k")) {
      h.put("k", "1");
      h.advance(200);
      CloseReport<String> report = h.buffer.close();
      assertTrue(report.drained());
      assertEquals(1, report.deadLetters());
      assertEquals(List.of("k"), report.deadLetterKeys());
      assertFalse(report.kept());
      assertEquals(1, report.lost());
      assertEquals(1, h.buffer.statistics().lost());
    }
  }

  private static List<String> keys(List<DeadLetter<String, String>> letters) {
    return letters.stream().map(DeadLetter::key).toList();
  }
}
