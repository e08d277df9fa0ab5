package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import static dev.jotter.writebehind.Harness.WAIT;
import static dev.jotter.writebehind.Harness.defaults;
import static dev.jotter.writebehind.Harness.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.journal.DeadMark;
import dev.jotter.journal.Journal;
import dev.jotter.journal.JournalRecord;
import dev.jotter.writebehind.RecordingWriter.Call;
import dev.jotter.writebehind.WriteBehindListener.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The write-behind contract, clause by clause (see WRITE-BEHIND-CONTRACT.md). */
class WriteBehindBufferTest {

  @Nested
  class Acknowledgement {

    @Test
    void putReturnsBeforeWriterIsCalled() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.put("a", "1");
        h.scheduler.runDue();

        assertTrue(h.writer.calls.isEmpty());
        assertEquals("1", h.buffer.pending("a").value());
        h.advance(100);
        assertEquals("1", h.writer.store.get("a"));
      }
    }

    @Test
    void writerExceptionsNeverReachTheCaller() throws Exception {
      try (Harness h = Harness.inline(defaults().maxAttempts(100))) {
        h.writer.failNextCalls.set(1_000);
        h.put("a", "1");
        h.advance(1_000);
        h.put("a", "2");
        h.remove("b");
        h.advance(1_000);

        assertTrue(h.buffer.statistics().failed() > 3);
        assertTrue(h.writer.store.isEmpty());
      }
    }
  }

  @Nested
  class OrderPerKey {

    @Test
    void deleteIsNeverOvertakenByOlderWrite() throws Exception {
      try (Harness h = Harness.inline(defaults().coalescing(false))) {
        h.writer.failNextCalls.set(1);
        h.put("a", "1");
        h.advance(100); // the write fails and waits for its retry
        h.remove("a");
        h.advance(1_000);

        assertEquals(List.of("=1", "deleted"), h.writer.historyOf("a"));
        assertFalse(h.writer.store.containsKey("a"));
      }
    }

    @Test
    void writeIsNeverOvertakenByOlderDelete() throws Exception {
      try (Harness h = Harness.inline(defaults().coalescing(false))) {
        h.writer.failNextCalls.set(2);
        h.remove("a");
        h.advance(100);
        h.put("a", "2");
        h.advance(1_000);

        assertEquals(List.of("deleted", "=2"), h.writer.historyOf("a"));
        assertEquals("2", h.writer.store.get("a"));
      }
    }

    @Test
    void failedWriteIsDroppedForNewerMutationNeverResentAfterIt() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.writer.failNextCalls.set(1);
        h.put("a", "1");
        h.advance(100);
        h.put("a", "2");
        h.advance(1_000);

        assertEquals(List.of("=2"), h.writer.historyOf("a"));
        assertEquals(List.of(List.of("a"), List.of("a")), h.writer.callKeys());
        assertEquals(1, h.buffer.statistics().coalesced());
      }
    }

    @Test
    void twoBatchesWithSameKeyAreNeverInFlightTogether() throws Exception {
      try (Harness h = Harness.threaded(defaults().batchSize(1).flusherThreads(4))) {
        CountDownLatch firstWriteOfA = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        CountDownLatch othersWritten = new CountDownLatch(2);
        h.writer.onCall = call -> {
          if (call.values().equals(List.of("a1"))) {
            firstWriteOfA.countDown();
            await(releaseA);
          } else if (!call.keys().contains("a")) {
            othersWritten.countDown();
          }
        };
        h.put("a", "a1");
        await(firstWriteOfA);
        h.put("a", "a2");
        h.put("b", "b1");
        h.put("c", "c1");

        await(othersWritten); // three threads are free, yet a2 waits for a1
        assertEquals(1, h.writer.callsWith("a").size());
        assertEquals("a2", h.buffer.pending("a").value());
        releaseA.countDown();
        h.buffer.flush();

        assertEquals(List.of("=a1", "=a2"), h.writer.historyOf("a"));
        assertEquals(Set.of(), h.writer.overlaps);
      }
    }
  }

  @Nested
  class Coalescing {

    @Test
    void writeThenDeleteCoalescesToDelete() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.put("a", "1");
        h.remove("a");
        h.advance(100);

        assertEquals(List.of(new Call("deleteAll", List.of("a"), Collections.singletonList(null),
            h.ticker.read())), h.writer.calls);
        assertEquals(1, h.buffer.statistics().coalesced());
      }
    }

    @Test
    void writeThenWriteKeepsNewest() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.put("a", "1");
        h.put("a", "2");
        h.put("a", "3");
        h.advance(100);

        assertEquals(List.of("=3"), h.writer.historyOf("a"));
        assertEquals(2, h.buffer.statistics().coalesced());
      }
    }

    @Test
    void deleteThenWriteCoalescesToWrite() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.remove("a");
        h.put("a", "2");
        h.advance(100);

        assertEquals("writeAll", h.writer.calls.get(0).kind());
        assertEquals(List.of("=2"), h.writer.historyOf("a"));
      }
    }

    @Test
    void coalescingAppliesToEverythingPendingNotOnlyTheNextBatch() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(2))) {
        h.put("a", "1");
        h.put("b", "1"); // a full batch: cut and in flight
        h.put("c", "1");
        h.put("d", "1");
        h.put("e", "1");
        h.put("c", "2"); // c waits behind a batch that is not being filled
        h.advance(100);

        assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("e")),
            h.writer.callKeys());
        assertEquals(List.of("=2"), h.writer.historyOf("c"));
      }
    }

    @Test
    void coalescingOffSendsEveryOperationInOrder() throws Exception {
      try (Harness h = Harness.inline(defaults().coalescing(false).batchSize(10))) {
        h.put("a", "1");
        h.put("b", "1");
        h.put("a", "2");
        h.remove("a");
        h.put("a", "3");
        h.advance(1_000);

        assertEquals(List.of("=1", "=2", "deleted", "=3"), h.writer.historyOf("a"));
        // a key at most once per batch: a's operations leave one by one
        assertEquals(List.of(List.of("a", "b"), List.of("a"), List.of("a"), List.of("a")),
            h.writer.callKeys());
        assertEquals(0, h.buffer.statistics().coalesced());
      }
    }
  }

  @Nested
  class Batching {

    @Test
    void batchLeavesWhenFull() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.put("a", "1");
        h.put("b", "1");
        h.scheduler.runDue();
        assertTrue(h.writer.calls.isEmpty());

        h.put("c", "1");
        h.scheduler.runDue();
        assertEquals(List.of(List.of("a", "b", "c")), h.writer.callKeys());
      }
    }

    @Test
    void batchLeavesAfterMaxWriteDelay() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.put("a", "1");
        h.advance(50);
        h.put("b", "1");
        h.advance(49);
        assertTrue(h.writer.calls.isEmpty());

        h.advance(1); // the oldest has waited 100ms; b goes along
        assertEquals(List.of(List.of("a", "b")), h.writer.callKeys());
      }
    }

    @Test
    void batchesNeverExceedBatchSize() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        IntStream.range(0, 7).forEach(i -> h.put("k" + i, "v"));
        h.advance(100);

        assertEquals(List.of(3, 3, 1), h.writer.calls.stream().map(c -> c.keys().size()).toList());
      }
    }

    @Test
    void batchIsSentAsOneDeleteAllAndOneWriteAll() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(10))) {
        h.put("a", "1");
        h.remove("b");
        h.put("c", "1");
        h.remove("d");
        h.put("e", "1");
        h.advance(100);

        assertEquals(List.of("deleteAll", "writeAll"),
            h.writer.calls.stream().map(Call::kind).toList());
        assertEquals(List.of(List.of("b", "d"), List.of("a", "c", "e")), h.writer.callKeys());
        assertEquals(1, h.buffer.statistics().batches());
      }
    }

    @Test
    void aFailedDeleteAllDoesNotKeepItsBatchsWritesFromTheWriter() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(10))) {
        h.writer.failNextCalls.set(1);
        h.put("a", "1");
        h.remove("b");
        h.advance(100);

        assertEquals(List.of("deleteAll", "writeAll"),
            h.writer.calls.stream().map(Call::kind).toList(),
            "one failing key says nothing about the others");
        assertEquals("1", h.writer.store.get("a"));
        assertEquals(1, h.buffer.statistics().pendingOperations(), "b waits for its retry");
      }
    }

    @Test
    void aWriterJudgedDownGetsNoFurtherCallFromTheBatch() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(10).maxAttempts(100))) {
        h.writer.failNextCalls.set(Integer.MAX_VALUE);
        for (String key : List.of("a", "c", "e", "g")) {
          h.put(key, "1");
        }
        h.remove("b");
        h.remove("d");
        h.advance(100);

        // deleteAll(b, d) fails, so do its halves (b) and (d); then writeAll(a, c, e, g): three
        // pairwise disjoint key sets failed, the writer is down, and the writes are not split
        assertEquals(List.of(List.of("b", "d"), List.of("b"), List.of("d"),
            List.of("a", "c", "e", "g")), h.writer.callKeys());
        assertEquals(6, h.buffer.statistics().pendingOperations(), "nothing is lost or written");
        assertEquals(0, h.buffer.statistics().written());
        assertEquals(6, h.buffer.statistics().failed(), "each charged once");
      }
    }
  }

  @Nested
  class PartialFailure {

    @Test
    void onlyLeftoverEntriesAreRetried() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.writer.poison = "b"::equals;
        h.put("a", "1");
        h.put("b", "1");
        h.put("c", "1");
        h.scheduler.runDue();
        h.writer.poison = key -> false;
        h.advance(100);

        assertEquals(List.of(List.of("a", "b", "c"), List.of("b")), h.writer.callKeys());
        assertEquals(List.of("=1"), h.writer.historyOf("a"));
        assertEquals(1, h.buffer.statistics().retried());
      }
    }

    @Test
    void onlyLeftoverKeysOfDeleteAllAreRetried() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.writer.poison = "b"::equals;
        h.remove("a");
        h.remove("b");
        h.remove("c");
        h.scheduler.runDue();
        h.writer.poison = key -> false;
        h.advance(100);

        assertEquals(List.of(List.of("a", "b", "c"), List.of("b")), h.writer.callKeys());
        assertEquals("deleteAll", h.writer.calls.get(1).kind());
      }
    }

    @Test
    void wholeBatchFailureIsSplitToIsolatePoison() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(8).maxAttempts(5))) {
        h.writer.poison = "k5"::equals;
        h.writer.poisonFailsWholeCall = true;
        IntStream.range(0, 8).forEach(i -> h.put("k" + i, "v"));
        h.advance(10_000);

        for (int i = 0; i < 8; i++) {
          assertEquals((i == 5) ? null : "v", h.writer.store.get("k" + i), "k" + i);
        }
        // halving: 8, 4, 2, 1 at once; the split failures are not charged, so the isolated poison
        // then has its 5 attempts alone, with back-off, before it is given up
        assertEquals(List.of(8, 4, 2, 1, 1, 1, 1, 1),
            h.writer.callsWith("k5").stream().map(c -> c.keys().size()).toList());
        assertEquals(List.of("k5"), h.deadLetters.list().stream().map(DeadLetter::key).toList());
        assertEquals(5, h.deadLetters.list().get(0).attempts());
        // 8, then both halves of every split: 4 + 4, 2 + 2, 1 + 1; then the 4 retries
        assertEquals(11, h.writer.calls.size(), () -> "calls: " + h.writer.callKeys());
        assertEquals(0, h.buffer.statistics().retried() - 4, "only the poison was retried");
      }
    }
  }

  @Nested
  class RetryAndDeadLetter {

    @Test
    void retriesWaitForExponentialBackoff() throws Exception {
      try (Harness h = Harness.inline(defaults().maxAttempts(4))) {
        h.writer.failNextCalls.set(3);
        long start = h.ticker.read();
        h.put("a", "1");
        h.advance(10_000);

        assertEquals(List.of(100L, 200L, 400L, 800L), h.writer.calls.stream()
            .map(c -> TimeUnit.NANOSECONDS.toMillis(c.at() - start)).toList());
        assertEquals("1", h.writer.store.get("a"));
      }
    }

    @Test
    void exhaustedRetriesGoToDeadLetter() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.writer.poison = "a"::equals;
        h.put("a", "1");
        h.remove("b");
        h.advance(10_000);

        DeadLetter<String, String> letter = h.deadLetters.list().get(0);
        assertEquals(List.of("a", "1", 3), List.of(letter.key(), letter.value(), letter.attempts()));
        assertEquals("poison left in the collection", letter.cause().orElseThrow().getMessage());
        assertEquals(Optional.of("poison left in the collection"), letter.causeMessage());
        assertEquals(CacheWriterException.class.getName(), letter.causeClass());
        assertEquals("test", letter.cacheName());
        assertEquals(1, h.buffer.statistics().deadLettered());
        assertEquals(3, h.buffer.statistics().failed());
        assertSame(letter, h.buffer.pending("a"), "the letter is the key's newest state");
        assertEquals(0, h.buffer.statistics().pendingOperations());
      }
    }

    @Test
    void maxRetryTimeEndsRetriesBeforeMaxAttempts() throws Exception {
      try (Harness h = Harness.inline(defaults().maxAttempts(100)
          .maxRetryTime(Duration.ofMillis(250)))) {
        h.writer.poison = "a"::equals;
        h.put("a", "1");
        h.advance(10_000);

        // failures at 100, 200 and 400ms: the third is 300ms after the first
        assertEquals(3, h.deadLetters.list().get(0).attempts());
      }
    }

    @Test
    void newerMutationSupersedesDeadLetter() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.writer.poison = "a"::equals;
        h.put("a", "1");
        h.advance(10_000);
        DeadLetter<String, String> stale = h.deadLetters.list().get(0);
        h.writer.poison = key -> false;
        h.put("a", "2");
        h.advance(100);

        assertEquals(0, h.deadLetters.size());
        assertFalse(stale.resubmit(), "a stale letter would travel back in time");
        h.advance(1_000);
        assertEquals(List.of("=2"), h.writer.historyOf("a"));
      }
    }

    @Test
    void deadLettersCanBeResubmitted() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.writer.failNextCalls.set(6); // three attempts each of writeAll(a) and deleteAll(b)
        h.put("a", "1");
        h.remove("b");
        h.advance(30_000);
        assertEquals(2, h.deadLetters.size());

        assertEquals(2, h.deadLetters.resubmitAll());
        assertEquals("1", h.buffer.pending("a").value());
        h.advance(100);

        assertEquals("1", h.writer.store.get("a"));
        assertEquals(List.of("deleted"), h.writer.historyOf("b"));
        assertEquals(0, h.deadLetters.size());
        assertEquals(0, h.deadLetters.resubmitAll());
      }
    }

    @Test
    void failingWriterMakesFlusherBackOff() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(5).maxAttempts(100))) {
        h.writer.failNextCalls.set(Integer.MAX_VALUE);
        IntStream.range(0, 20).forEach(i -> h.put("k" + i, "v"));
        h.advance(6_400);

        // five calls tell an outage from poison keys (the batch, both halves, the first half's
        // halves: three disjoint key sets failed), then one probe per pause, the pause doubling:
        // 100, 200, 400, ... not 4 batches and all their halves
        List<Long> times = h.writer.calls.stream().map(Call::at).toList();
        assertEquals(Collections.nCopies(4, times.get(0)), times.subList(1, 5));
        assertTrue(times.size() <= 11, () -> "calls: " + times.size());
        assertTrue(h.writer.calls.subList(5, times.size()).stream()
            .allMatch(call -> call.keys().size() == 1), "probes are single operations");
        for (int i = 6; i < times.size(); i++) {
          assertTrue(times.get(i) - times.get(i - 1) >= 2 * (times.get(i - 1) - times.get(i - 2)));
        }

        h.writer.failNextCalls.set(0);
        h.advance(10_000);
        assertEquals(20, h.writer.store.size());
        h.put("fresh", "v");
        h.advance(100); // recovered: no pause left
        assertEquals("v", h.writer.store.get("fresh"));
      }
    }

    @Test
    void poisonKeyDoesNotHoldBackOtherKeys() throws Exception {
      try (Harness h = Harness.inline(defaults().maxAttempts(100))) {
        h.writer.poison = "p"::equals;
        h.put("p", "1");
        for (int i = 0; i < 10; i++) {
          h.put("k" + i, "v");
          h.advance(200); // maxWriteDelay plus at most one initial pause
          assertEquals("v", h.writer.store.get("k" + i), "k" + i);
        }
      }
    }
  }

  @Nested
  class Reads {

    @Test
    void pendingStateAnswersReads() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(1))) {
        assertNull(h.buffer.pending("a"));
        h.writer.failNextCalls.set(1);
        h.put("a", "1");
        assertEquals("1", h.buffer.pending("a").value()); // in flight
        h.remove("a");
        assertTrue(h.buffer.pending("a").isDelete()); // waiting behind the one in flight
        h.scheduler.runDue();
        assertTrue(h.buffer.pending("a").isDelete()); // the write failed; the delete is newest

        h.advance(1_000);
        assertNull(h.buffer.pending("a"));
      }
    }
  }

  @Nested
  class BoundedMemory {

    /** batchSize 2 and limit 3: a and b in flight (not yet run), c waiting; the buffer is full. */
    private Harness full(OverflowPolicy policy) {
      Harness h = Harness.inline(defaults().batchSize(2).maxPendingOperations(3)
          .overflowPolicy(policy));
      h.put("a", "1");
      h.put("b", "1");
      h.put("c", "1");
      return h;
    }

    @Test
    void fullBufferFailsAtOnce() throws Exception {
      try (Harness h = full(OverflowPolicy.FAIL)) {
        CacheWriterException e = assertThrows(CacheWriterException.class, () -> h.buffer.reserve("d"));

        assertTrue(e.getMessage().contains("'test'") && e.getMessage().contains("FAIL")
            && e.getMessage().contains("maxPendingOperations=3"), e.getMessage());
        assertNull(h.buffer.pending("d"));
        assertEquals(3, h.buffer.statistics().pendingOperations());
        assertEquals(1, h.buffer.statistics().overflowEvents());
      }
    }

    @Test
    void coalescedMutationNeedsNoSlot() throws Exception {
      try (Harness h = full(OverflowPolicy.FAIL)) {
        h.put("c", "2");
        h.remove("c");

        assertTrue(h.buffer.pending("c").isDelete());
        assertThrows(CacheWriterException.class, () -> h.buffer.reserve("a"), "a is in flight");
      }
    }

    @Test
    void fullBufferBlocksThenFails() throws Exception {
      try (Harness h = full(OverflowPolicy.BLOCK)) {
        h.writer.failNextCalls.set(Integer.MAX_VALUE); // so that no slot frees up
        int timers = h.scheduler.timersScheduled();
        CompletableFuture<Reservation> blocked = h.async(() -> h.buffer.reserve("d"));
        h.awaitTimer(timers);
        h.ticker.advance(Duration.ofMillis(999));
        assertFalse(blocked.isDone());

        h.ticker.advance(Duration.ofMillis(1));
        h.scheduler.runDue(); // fires the deadline timer (and fails the batch cut before)

        ExecutionException e = assertThrows(ExecutionException.class, blocked::get);
        assertTrue(e.getCause().getMessage().contains("BLOCK waited PT1S"), e.getMessage());
      }
    }

    @Test
    void fullBufferBlocksUntilSlotFrees() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(2).maxPendingOperations(2))) {
        h.put("a", "1");
        h.put("b", "1");
        int timers = h.scheduler.timersScheduled();
        CompletableFuture<Void> blocked = h.async(() -> h.put("c", "1"));
        h.awaitTimer(timers);
        assertFalse(blocked.isDone());

        h.scheduler.runDue(); // writes a and b, freeing two slots
        blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("1", h.buffer.pending("c").value());
      }
    }

    @Test
    void fullBufferWritesThroughWithoutReordering() throws Exception {
      try (Harness h = full(OverflowPolicy.WRITE_THROUGH)) {
        h.put("d", "1"); // nothing pending for d: written at once, synchronously
        assertEquals(new Call("write", List.of("d"), List.of("1"), h.ticker.read()),
            h.writer.calls.get(0));

        // a=1 is in flight: reserve waits for it, before the cache's per-key section (where a
        // wait would hold the storage engine's lock of the key)
        int timers = h.scheduler.timersScheduled();
        CompletableFuture<Reservation> reserving = h.async(() -> h.buffer.reserve("a"));
        h.awaitTimer(timers);
        assertFalse(reserving.isDone());
        h.scheduler.runDue(); // a=1 and b=1 written: room again
        Reservation reservation = reserving.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(reservation.isWriteThrough(), "room freed up: queued, not written through");
        h.buffer.write(reservation, "a", "2");
        h.buffer.release(reservation);
        h.advance(100);
        h.scheduler.runDue();

        assertEquals(List.of("=1", "=2"), h.writer.historyOf("a"));
      }
    }

    @Test
    void writeThroughFailureReachesTheCaller() throws Exception {
      try (Harness h = full(OverflowPolicy.WRITE_THROUGH)) {
        h.writer.failNextCalls.set(1);
        assertThrows(CacheWriterException.class, () -> h.put("d", "1"));
        assertNull(h.buffer.pending("d"));
      }
    }
  }

  @Nested
  class FlushAndClose {

    @Test
    void flushWaitsForEverythingAcknowledgedBefore() throws Exception {
      try (Harness h = Harness.threaded(defaults().batchSize(2))) {
        IntStream.range(0, 5).forEach(i -> h.put("k" + i, "v"));
        h.buffer.flush(); // no time passes: flush does not wait for maxWriteDelay

        assertEquals(5, h.writer.store.size());
        assertEquals(0, h.buffer.statistics().pendingOperations());
      }
    }

    @Test
    void flushWaitsForRetries() throws Exception {
      try (Harness h = Harness.threaded(defaults())) {
        h.writer.failNextCalls.set(1);
        h.put("a", "1");
        CompletableFuture<Boolean> flushing = h.async(() -> h.buffer.flush(WAIT).completed());
        eventually(() -> h.buffer.statistics().retried() == 1);
        assertFalse(flushing.isDone());

        h.advance(100);
        assertTrue(flushing.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("1", h.writer.store.get("a"));
      }
    }

    @Test
    void flushGivesUpAtItsTimeout() throws Exception {
      try (Harness h = Harness.threaded(defaults().maxAttempts(100))) {
        h.writer.failNextCalls.set(Integer.MAX_VALUE);
        h.put("a", "1");
        int timers = h.scheduler.timersScheduled();
        CompletableFuture<Boolean> flushing = h.async(() -> h.buffer.flush(Duration.ofSeconds(1)).completed());
        h.awaitTimer(timers);
        h.advance(1_000);

        assertFalse(flushing.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        h.writer.failNextCalls.set(0);
      }
    }

    @Test
    void closeDrainsEverything() throws Exception {
      try (Harness h = Harness.threaded(defaults())) {
        h.put("a", "1");
        h.remove("b");

        CloseReport<String> report = h.buffer.close();
        assertEquals(new CloseReport<>(true, 0, List.of(), 0, List.of(), false), report);
        assertEquals("1", h.writer.store.get("a"));
        assertTrue(h.scheduler.isClosed());
      }
    }

    @Test
    void closeDrainsWithinTimeoutAndReportsLost() throws Exception {
      try (Harness h = Harness.inline(defaults().maxAttempts(100))) {
        h.writer.failNextCalls.set(Integer.MAX_VALUE);
        h.put("a", "1");
        h.remove("b");
        h.put("c", "1");

        CompletableFuture<CloseReport<String>> closing = h.async(h.buffer::close);
        eventually(() -> advanceAnd(h, closing));
        CloseReport<String> report = closing.get();

        assertEquals(new CloseReport<>(false, 3, List.of("a", "b", "c"), 0, List.of(), false),
            report);
        assertEquals(3, h.buffer.statistics().lost());
        assertThrows(IllegalStateException.class, () -> h.buffer.reserve("d"));
        assertSame(report, h.buffer.close(), "close is idempotent");
      }
    }

    @Test
    void noWriterCallStartsAfterCloseReported() {
      try (Harness h = Harness.inline(defaults().drainTimeout(Duration.ZERO))) {
        h.put("a", "1");
        h.remove("b");

        // close sends both batches at once and, with no drain time, reports them before a
        // flusher took them up
        CloseReport<String> report = h.buffer.close();
        assertEquals(Set.of("a", "b"), Set.copyOf(report.unconfirmedKeys()));
        h.scheduler.runDue(); // the flusher takes the batches up only now

        assertEquals(List.of(), h.writer.calls,
            "what close reported unconfirmed is not written behind the user's back");
        assertEquals(2, h.buffer.statistics().lost());
      }
    }

    private boolean advanceAnd(Harness h, CompletableFuture<?> done) {
      h.advance(100);
      return done.isDone();
    }

    @Test
    void closeEndsTheDefaultSchedulersThreads() {
      WriteBehindBuffer<String, String> buffer = WriteBehindBuffer.<String, String>builder(
          "ends", defaults().build(), new RecordingWriter(Ticker.system())).build();
      Reservation r = buffer.reserve("a");
      buffer.write(r, "a", "1");
      buffer.release(r);
      assertTrue(buffer.flush(Duration.ofHours(1)).completed()); // leaves its deadline timer behind
      assertTrue(schedulerThreadsOf("ends") > 0);

      buffer.close();
      eventually(() -> schedulerThreadsOf("ends") == 0);
    }

    private long schedulerThreadsOf(String cacheName) {
      return Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith("jotter-writebehind-" + cacheName + "-")).count();
    }

    @Test
    void blockedReserveFailsWhenClosed() throws Exception {
      try (Harness h = Harness.inline(defaults().batchSize(2).maxPendingOperations(2))) {
        h.put("a", "1");
        h.put("b", "1");
        int timers = h.scheduler.timersScheduled();
        CompletableFuture<Reservation> blocked = h.async(() -> h.buffer.reserve("c"));
        h.awaitTimer(timers);
        CompletableFuture<CloseReport<String>> closing = h.async(h.buffer::close);

        CompletionException e = assertThrows(CompletionException.class, blocked::join);
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        eventually(() -> advanceAnd(h, closing));
        assertTrue(closing.get().drained());
      }
    }
  }

  @Nested
  class JournalSeam {

    @Test
    void journalSeesEveryOperationAndItsCompletion() throws Exception {
      RecordingJournal journal = new RecordingJournal(List.of());
      FakeTicker ticker = new FakeTicker();
      ManualScheduler scheduler = new ManualScheduler(ticker);
      RecordingWriter writer = new RecordingWriter(ticker);
      WriteBehindBuffer<String, String> buffer = WriteBehindBuffer.<String, String>builder("j",
          defaults().durability(Durability.SYNC).journalDirectory(Path.of("j")).build(), writer)
          .journal(journal).ticker(ticker).scheduler(scheduler).build();

      for (String value : List.of("1", "2")) {
        Reservation r = buffer.reserve("a");
        buffer.write(r, "a", value);
        buffer.release(r);
      }
      assertEquals(List.of("a=1", "a=2"), journal.appended);
      assertEquals(List.of(1L, 2L), journal.awaited);
      assertEquals(Set.of(1L), journal.done, "the coalesced write needs no replay");

      scheduler.advance(Duration.ofMillis(100));
      assertEquals(Set.of(1L, 2L), journal.done);
      buffer.close();
      assertTrue(journal.closed);
    }

    @Test
    void recoveredOperationsAreWrittenBeforeNewerOnes() throws Exception {
      RecordingJournal journal = new RecordingJournal(List.of(
          new JournalRecord<>(7, "a", "old"), new JournalRecord<>(8, "b", null)));
      FakeTicker ticker = new FakeTicker();
      ManualScheduler scheduler = new ManualScheduler(ticker);
      RecordingWriter writer = new RecordingWriter(ticker);
      WriteBehindBuffer<String, String> buffer = WriteBehindBuffer.<String, String>builder("j",
          defaults().coalescing(false).durability(Durability.ASYNC)
              .journalDirectory(Path.of("j")).build(), writer)
          .journal(journal).ticker(ticker).scheduler(scheduler).build();

      assertEquals("old", buffer.pending("a").value());
      Reservation r = buffer.reserve("a");
      buffer.write(r, "a", "new");
      buffer.release(r);
      scheduler.advance(Duration.ofSeconds(1));

      assertEquals(List.of("=old", "=new"), writer.historyOf("a"));
      assertEquals(List.of("deleted"), writer.historyOf("b"));
      assertTrue(journal.done.containsAll(List.of(7L, 8L)));
      buffer.close();
    }

    @Test
    void durableCacheNeedsAJournal() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
          WriteBehindBuffer.<String, String>builder("j", defaults().durability(Durability.SYNC)
              .journalDirectory(Path.of("j")).build(), new RecordingWriter(new FakeTicker()))
              .scheduler(new ManualScheduler(new FakeTicker())).build());
      assertEquals("durability SYNC needs a journal; none was given", e.getMessage());
    }
  }

  @Nested
  class Observability {

    @Test
    void statisticsCountWhatHappened() throws Exception {
      try (Harness h = Harness.inline(defaults())) {
        h.put("a", "1");
        h.put("a", "2");
        h.put("b", "1");
        h.advance(40);
        WriteBehindStatistics before = h.buffer.statistics();
        assertEquals(2, before.pendingOperations());
        assertEquals(Duration.ofMillis(40), before.oldestPendingAge());

        h.writer.poison = "b"::equals;
        h.advance(60);
        h.writer.poison = key -> false;
        h.advance(100);

        assertEquals(new WriteBehindStatistics(0, Duration.ZERO, 1, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0,
            Duration.ZERO), h.buffer.statistics());
      }
    }

    @Test
    void listenerSeesEveryWriterCall() throws Exception {
      FakeTicker ticker = new FakeTicker();
      ManualScheduler scheduler = new ManualScheduler(ticker);
      RecordingWriter writer = new RecordingWriter(ticker);
      writer.onCall = call -> ticker.advance(Duration.ofMillis(5));
      writer.poison = "b"::equals;
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      WriteBehindBuffer<String, String> buffer = WriteBehindBuffer.<String, String>builder("l",
          defaults().maxAttempts(1).build(), writer)
          .listener((size, nanos, outcome) -> seen.add(size + "/" + nanos / 1_000_000 + "/" + outcome))
          .ticker(ticker).scheduler(scheduler).build();
      for (String key : List.of("a", "b")) {
        Reservation r = buffer.reserve(key);
        buffer.write(r, key, "1");
        buffer.release(r);
      }
      scheduler.advance(Duration.ofMillis(100));

      assertEquals(List.of("2/5/" + Outcome.PARTIAL_FAILURE), seen);
      buffer.close();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Records what the buffer asks of its journal; replays the given records. */
  static class RecordingJournal implements Journal<String, String> {
    final List<String> appended = Collections.synchronizedList(new ArrayList<>());
    final List<Long> awaited = Collections.synchronizedList(new ArrayList<>());
    final Set<Long> done = ConcurrentHashMap.newKeySet();
    final List<JournalRecord<String, String>> unfinished;
    volatile boolean closed;
    private long sequence;

    RecordingJournal(List<JournalRecord<String, String>> unfinished) {
      this.unfinished = unfinished;
      this.sequence = unfinished.isEmpty() ? 0 : unfinished.get(unfinished.size() - 1).sequence();
    }

    @Override
    public synchronized long appendWrite(String key, String value) {
      appended.add(key + "=" + value);
      return ++sequence;
    }

    @Override
    public synchronized long appendDelete(String key) {
      appended.add("delete " + key);
      return ++sequence;
    }

    @Override
    public synchronized long appendDead(String key, String value, DeadMark mark) {
      appended.add("dead " + key + ((value == null) ? "" : "=" + value) + " after "
          + mark.attempts());
      return ++sequence;
    }

    @Override
    public void awaitDurable(long sequence) {
      awaited.add(sequence);
    }

    @Override
    public void markDone(long sequence) {
      done.add(sequence);
    }

    @Override
    public void replay(Consumer<JournalRecord<String, String>> sink) {
      unfinished.forEach(sink);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
