package dev.jotter.writebehind;

import static dev.jotter.writebehind.Harness.defaults;
import static dev.jotter.writebehind.Harness.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Failure handling that no single key can break (contract clause 6): a poison key, failing as the
 * JCache partial-failure rule says or failing its whole batch, and updated all the while, never
 * holds back the other keys, never pauses the flusher, and is dead-lettered when its budget is
 * spent; flush and close still end.
 *
 * <p>The bound these tests hold the buffer to, also stated in the README: while keys retry, a
 * healthy key's write is late by at most the writer calls made for them — none with a writer that
 * follows the partial-failure rule; with one that fails whole batches, the splits of its batch
 * ({@code 2 ceil(log2 batchSize)} calls, made at once) and one call per batch of retries that comes
 * due before it. Writer calls here cost one millisecond of the fake clock.
 *
 * <p>Seeds: {@code -Dwritebehind.isolation.seeds=N} (default 50; the slow profile runs 1,000).
 */
class FailureIsolationTest {
  private static final int KEYS = 100;
  private static final int BATCH = 10;
  private static final Duration MAX_WRITE_DELAY = Duration.ofMillis(50);
  private static final Duration CALL = Duration.ofMillis(1);

  @TestFactory
  Stream<DynamicTest> aPoisonKeyUpdatedAllTheWhileNeverHoldsBackHealthyKeys() {
    long seeds = Long.getLong("writebehind.isolation.seeds", 50);
    return LongStream.range(0, seeds).boxed().flatMap(seed -> Stream.of(
        DynamicTest.dynamicTest("seed " + seed + ", partial failure", () -> poison(seed, false)),
        DynamicTest.dynamicTest("seed " + seed + ", whole-batch failure", () -> poison(seed, true))));
  }

  /** Scenario 1 of the failure issue: 100 keys put twice, 300 ms apart, batches of 10. */
  private void poison(long seed, boolean wholeBatch) throws Exception {
    Random random = new Random(seed);
    WriteBehindConfiguration config = defaults().batchSize(BATCH).maxWriteDelay(MAX_WRITE_DELAY)
        .maxPendingOperations(1_000).initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofSeconds(2)).jitter(0.2).maxAttempts(6)
        .maxRetryTime(Duration.ofHours(1)).flusherThreads(1 + random.nextInt(2))
        .drainTimeout(Duration.ofSeconds(1)).build();
    String context = "seed " + seed + (wholeBatch ? " whole-batch" : " partial") + " " + config;
    try (Harness h = Harness.inline(config.toBuilder())) {
      h.writer.onCall = call -> h.ticker.advance(CALL);
      String poison = "k" + random.nextInt(KEYS);
      h.writer.poison = poison::equals;
      h.writer.poisonFailsWholeCall = wholeBatch;
      List<String> keys = new ArrayList<>(IntStream.range(0, KEYS).mapToObj(i -> "k" + i).toList());
      List<Acked> acked = new ArrayList<>();
      long[] nextPoisonUpdate = {h.ticker.read()};
      AtomicInteger poisonValues = new AtomicInteger();
      Runnable updatePoison = () -> {
        if (h.ticker.read() >= nextPoisonUpdate[0]) {
          h.put(poison, "p" + poisonValues.incrementAndGet());
          nextPoisonUpdate[0] = h.ticker.read() + Duration.ofMillis(10 + random.nextInt(30)).toNanos();
        }
      };
      for (int round = 1; round <= 2; round++) {
        Collections.shuffle(keys, random);
        for (String key : keys) {
          updatePoison.run();
          if (!key.equals(poison)) {
            h.put(key, "r" + round);
            acked.add(new Acked(key, "=r" + round, h.ticker.read()));
          }
          if (random.nextInt(10) == 0) {
            h.advance(1 + random.nextInt(5));
          }
        }
        for (int step = 0; step < 30; step++) { // 300 ms between the rounds
          h.advance(10);
          updatePoison.run();
        }
      }

      // every healthy put reached the writer within the bound
      int log2 = 32 - Integer.numberOfLeadingZeros(BATCH - 1);
      long bound = MAX_WRITE_DELAY.toNanos()
          + CALL.toNanos() * (KEYS / BATCH + 2L * log2 + 4) + Duration.ofMillis(10).toNanos();
      for (Acked put : acked) {
        long at = h.writer.writtenAt(put.key, put.state, put.at);
        assertTrue(at >= 0, () -> context + ": " + put + " never reached the writer: "
            + h.writer.historyOf(put.key));
        assertTrue(at - put.at <= bound, () -> context + ": " + put + " written "
            + Duration.ofNanos(at - put.at) + " after its acknowledgement, bound "
            + Duration.ofNanos(bound));
      }
      assertTrue(h.deadLetters.list().stream().allMatch(letter -> letter.key().equals(poison)),
          () -> context + ": only the poison key is dead-lettered: " + h.deadLetters.list());

      // the poison key stops changing: its budget is spent, flush and close end
      for (int step = 0; step < 100 && h.buffer.statistics().pendingOperations() > 0; step++) {
        h.advance(100);
      }
      FlushResult flushed = h.buffer.flush(Duration.ZERO);
      assertTrue(flushed.completed(), () -> context + ": " + flushed + " "
          + h.buffer.status(poison));
      KeyStatus<String, String> status = h.buffer.status(poison);
      assertEquals(KeyStatus.State.DEAD_LETTER, status.state(), context);
      assertEquals(6, status.attempts(), context + ": the key's budget, not reset by coalescing");
      assertEquals("p" + poisonValues.get(), status.value().orElseThrow(),
          context + ": the letter holds the key's newest state");
      CloseReport<String> report = h.buffer.close();
      assertTrue(report.drained(), context + ": " + report);
      assertEquals(List.of(poison), report.deadLetterKeys(), context);
    }
  }

  private record Acked(String key, String state, long at) {}

  @Test
  void aFailingKeyUpdatedEveryFewMillisecondsIsDeadLetteredWhenItsAttemptsAreSpent() {
    try (Harness h = Harness.inline(defaults().maxAttempts(5).jitter(0)
        .maxRetryTime(Duration.ofDays(1)))) {
      h.writer.poison = "hot"::equals;
      long start = h.ticker.read();
      long firstFailure = -1;
      int lastAttempts = 0;
      int value = 0;
      // back-offs 100 + 200 + 400 + 800 ms after the first attempt at 100 ms: spent at 1.6 s
      while (h.buffer.statistics().deadLettered() == 0) {
        assertTrue(h.ticker.read() - start < Duration.ofSeconds(3).toNanos(),
            () -> "never dead-lettered: " + h.buffer.status("hot"));
        h.put("hot", "v" + (++value));
        h.advance(5);
        KeyStatus<String, String> status = h.buffer.status("hot");
        if (status.state() == KeyStatus.State.RETRYING) {
          assertTrue(status.attempts() >= lastAttempts, "attempts never go back: " + status);
          lastAttempts = status.attempts();
          long first = status.firstFailure().orElseThrow().toEpochMilli();
          if (firstFailure < 0) {
            firstFailure = first;
          }
          assertEquals(firstFailure, first, "the budget counts from the key's first failure");
        }
      }
      long spent = h.ticker.read() - start;
      assertTrue(spent <= Duration.ofMillis(1_610).toNanos(), "spent after " + spent / 1e6 + " ms");
      DeadLetter<String, String> letter = h.deadLetters.get("hot").orElseThrow();
      assertEquals(5, letter.attempts());
      assertEquals("v" + value, letter.value(), "the newest value, not the first one");
    }
  }

  @Test
  void aFailingKeyUpdatedEveryFewMillisecondsIsDeadLetteredWhenItsRetryTimeIsSpent() {
    try (Harness h = Harness.inline(defaults().maxAttempts(Integer.MAX_VALUE).jitter(0)
        .maxBackoff(Duration.ofMillis(100)).maxRetryTime(Duration.ofSeconds(1)))) {
      h.writer.poison = "hot"::equals;
      long start = h.ticker.read();
      for (int value = 0; h.buffer.statistics().deadLettered() == 0; value++) {
        assertTrue(h.ticker.read() - start < Duration.ofSeconds(3).toNanos(),
            () -> "never dead-lettered: " + h.buffer.status("hot"));
        h.put("hot", "v" + value);
        h.advance(3);
      }
      // first failure at 100 ms; a retry every 100 ms; the one at or after 1.1 s gives up
      long spent = h.ticker.read() - start;
      assertTrue(spent >= Duration.ofMillis(1_100).toNanos()
          && spent <= Duration.ofMillis(1_210).toNanos(), "spent after " + spent / 1e6 + " ms");
    }
  }

  @Test
  void aValueThatArrivesWhileItsKeyIsWithTheWriterKeepsTheKeysBudgetAndIsStillTried()
      throws Exception {
    try (Harness h = Harness.threaded(defaults().maxAttempts(1).jitter(0))) {
      CompletableFuture<Void> release = new CompletableFuture<>();
      AtomicBoolean held = new AtomicBoolean();
      h.writer.onCall = call -> {
        if (call.values().contains("bad") && held.compareAndSet(false, true)) {
          release.join();
        }
      };
      h.writer.poisonValue = "bad"::equals;
      h.put("k", "bad");
      h.advance(100);
      eventually(held::get);
      h.put("k", "good"); // waits behind the attempt with the writer
      assertEquals(2, h.buffer.status("k").queuedOperations());
      release.complete(null);
      eventually(() -> "good".equals(h.writer.store.get("k")));

      // its single attempt was spent by "bad"; "good" still got one, and was written
      assertEquals(List.of("=good"), h.writer.historyOf("k"));
      assertEquals(0, h.deadLetters.size());
      assertEquals(1, h.buffer.statistics().coalesced(), "bad was superseded by good");
    }
  }

  @Test
  void aNewerValueOfAnExhaustedKeyThatFailsTooIsDeadLetteredAfterOneTry() throws Exception {
    try (Harness h = Harness.threaded(defaults().maxAttempts(2).jitter(0))) {
      CompletableFuture<Void> release = new CompletableFuture<>();
      AtomicInteger calls = new AtomicInteger();
      h.writer.onCall = call -> {
        if (calls.incrementAndGet() == 2) {
          release.join(); // the second (and last) attempt of v1 stays with the writer
        }
      };
      h.writer.poison = "k"::equals;
      h.put("k", "v1");
      h.advance(100); // attempt 1 fails
      eventually(() -> h.buffer.statistics().retried() == 1);
      h.advance(100); // attempt 2 leaves and is held
      eventually(() -> calls.get() == 2);
      h.put("k", "v2");
      release.complete(null);
      // v2 inherits v1's spent budget, gets one try at once (no back-off), fails: dead letter
      eventually(() -> h.deadLetters.size() == 1);
      assertEquals(1, h.buffer.statistics().coalesced(), "v1 superseded by v2");
      assertEquals("v2", h.deadLetters.get("k").orElseThrow().value());
      assertEquals(2, h.deadLetters.get("k").orElseThrow().attempts(), "the key's budget");
      assertEquals(3, calls.get(), "v1 twice, v2 once");
    }
  }

  @Test
  void aWriterThatIsDownPausesTheFlusherAsAWholeAndRecoversAtOnce() throws Exception {
    try (Harness h = Harness.inline(defaults().batchSize(4).maxAttempts(1_000).jitter(0))) {
      h.writer.failNextCalls.set(Integer.MAX_VALUE);
      IntStream.range(0, 12).forEach(i -> h.put("k" + i, "v"));
      h.advance(0);
      // (k0-k3) fails, then (k0 k1), (k2 k3), (k0), (k1): three disjoint key sets, the writer is
      // judged down
      assertEquals(List.of(List.of("k0", "k1", "k2", "k3"), List.of("k0", "k1"),
          List.of("k2", "k3"), List.of("k0"), List.of("k1")), h.writer.callKeys());
      assertTrue(h.buffer.statistics().writerFailingFor().isZero(), "no time has passed");
      h.advance(99);
      assertEquals(5, h.writer.calls.size(), "nothing during the pause");
      assertEquals(Duration.ofMillis(99), h.buffer.statistics().writerFailingFor());
      h.advance(1);
      assertEquals(6, h.writer.calls.size(), "one probe when the pause ends");
      assertEquals(1, h.writer.calls.get(5).keys().size(), "a probe is one operation");
      h.writer.failNextCalls.set(0);
      h.advance(200); // the next probe succeeds: every batch leaves
      assertEquals(12, h.writer.store.size());
      assertTrue(h.buffer.statistics().writerFailingFor().isZero());
    }
  }

  @Test
  void aPoisonKeyGivenUpLeavesNoWriterFailing() {
    try (Harness h = Harness.inline(defaults().maxAttempts(1))) {
      h.writer.poison = "p"::equals;
      h.put("p", "1");
      h.advance(100);
      assertEquals(1, h.deadLetters.size());
      h.advance(60_000);
      assertEquals(Duration.ZERO, h.buffer.statistics().writerFailingFor(),
          "nothing waits to be written: nothing is failing");
    }
  }

  @Test
  void twoPoisonKeysInOneBatchDoNotPauseTheHealthyKeys() throws Exception {
    try (Harness h = Harness.inline(defaults().batchSize(8).maxAttempts(3).jitter(0))) {
      h.writer.poison = key -> key.equals("k0") || key.equals("k7");
      h.writer.poisonFailsWholeCall = true;
      IntStream.range(0, 8).forEach(i -> h.put("k" + i, "v"));
      h.advance(0); // no pause: two failing halves are not yet an outage
      for (int i = 1; i < 7; i++) {
        assertNotNull(h.writer.store.get("k" + i), "k" + i + " " + h.writer.callKeys());
      }
      assertTrue(h.buffer.statistics().writerFailingFor().isZero());
      h.advance(10_000);
      assertEquals(2, h.deadLetters.size());
    }
  }

  @Test
  void flushReturnsAndCloseDrainsWhileAFailingKeyKeepsBeingUpdated() throws Exception {
    // the fake clock runs far ahead of the flusher threads here: no fake deadlines (flush, drain),
    // a real one in the loops below
    try (Harness h = Harness.threaded(defaults().maxAttempts(4).jitter(0)
        .maxBackoff(Duration.ofMillis(400)).drainTimeout(Duration.ofDays(3_650)))) {
      h.writer.poison = "hot"::equals;
      h.writer.poisonFailsWholeCall = true;
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> updater = h.async(() -> {
        for (int i = 0; !stop.get(); i++) {
          h.put("hot", "v" + i);
          h.put("cold" + (i % 50), "v" + i);
          Thread.onSpinWait();
        }
      });
      eventually(() -> h.buffer.statistics().failed() > 0);
      CompletableFuture<FlushResult> flushing = h.async(() -> h.buffer.flush(Duration.ofDays(3_650)));
      // the clock moves only here; every step fires the timers that are due
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!flushing.isDone()) {
        assertTrue(System.nanoTime() < deadline, () -> "flush hangs: " + h.buffer.status("hot"));
        h.advance(50);
      }
      FlushResult result = flushing.get();
      assertTrue(result.completed(), result.toString());
      stop.set(true);
      updater.get(10, TimeUnit.SECONDS);

      CompletableFuture<CloseReport<String>> closing = h.async(h.buffer::close);
      while (!closing.isDone()) {
        assertTrue(System.nanoTime() < deadline, () -> "close hangs: " + h.buffer.status("hot"));
        h.advance(50);
      }
      CloseReport<String> report = closing.get();
      assertTrue(report.drained(), report.toString());
      assertEquals(List.of("hot"), report.deadLetterKeys(), "its budget was spent");
    }
  }
}
