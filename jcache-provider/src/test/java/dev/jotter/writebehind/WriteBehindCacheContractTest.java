package dev.jotter.writebehind;

import static dev.jotter.writebehind.CacheFixture.HOUR;
import static dev.jotter.writebehind.CacheFixture.defaults;
import static dev.jotter.writebehind.CacheFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.OverflowPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The write-behind contract (/work/shared/WRITE-BEHIND-CONTRACT.md), clause by clause, through the
 * public JCache API of a Jotter cache: each test would fail if its clause broke anywhere between
 * {@code Cache} and the writer, not only in the engine. Time is a fake ticker and a manual flush
 * scheduler; nothing sleeps.
 */
class WriteBehindCacheContractTest {

  /** Sets the entry to {@code arguments[0]}, or removes it when there is no argument. */
  static final class SetOrRemove implements EntryProcessor<String, String, Void> {
    @Override
    public Void process(MutableEntry<String, String> entry, Object... arguments) {
      if (arguments.length == 0) {
        entry.remove();
      } else {
        entry.setValue((String) arguments[0]);
      }
      return null;
    }
  }

  /** Reads the entry (through the loader if the cache reads through). */
  static final class Read implements EntryProcessor<String, String, String> {
    @Override
    public String process(MutableEntry<String, String> entry, Object... arguments) {
      return entry.getValue();
    }
  }

  private static CacheFixture readThrough(WriteBehindConfigurationBuilder settings,
      Consumer<JotterConfiguration<String, String>> more) {
    return new CacheFixture(settings.get(), false, config -> {
      config.setReadThrough(true);
      more.accept(config);
    });
  }

  /** Lets a test pass a builder lazily (each fixture builds its own). */
  interface WriteBehindConfigurationBuilder {
    dev.jotter.configuration.WriteBehindConfiguration.Builder get();
  }

  private static void prime(CacheFixture f, String key, String value) {
    f.cache.put(key, value);
    f.drainInline();
    assertEquals(value, f.writer.store.get(key));
  }

  // ------------------------------------------------------------------ 1. acknowledgement

  @Nested
  class Acknowledgement {

    @Test
    void putReturnsBeforeTheWriterIsCalled() {
      try (CacheFixture f = CacheFixture.inline(defaults().batchSize(1))) {
        f.cache.put("k", "v"); // a full batch: due at once, but only a flusher may send it
        f.cache.remove("j");
        f.cache.putAll(Map.of("a", "1", "b", "2"));
        assertEquals(List.of(), f.writer.calls, "the caller's thread reached the writer");
        assertEquals("v", f.cache.get("k"));
        f.scheduler.runDue();
        assertEquals(Map.of("k", "v", "a", "1", "b", "2"), f.writer.store);
      }
    }

    @Test
    void mutationsDoNotWaitForABlockedWriter() throws Exception {
      CountDownLatch writerBlocked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (CacheFixture f = CacheFixture.threaded(defaults().batchSize(1))) {
        f.writer.onCall = call -> {
          writerBlocked.countDown();
          await(release);
        };
        f.cache.put("a", "1");
        assertTrue(writerBlocked.await(10, TimeUnit.SECONDS));
        // the writer holds a flusher thread: every kind of mutation still returns at once
        f.cache.put("b", "2");
        f.cache.put("a", "again");
        f.cache.remove("b");
        f.cache.invoke("c", new SetOrRemove(), "3");
        f.cache.putAll(Map.of("d", "4", "e", "5"));
        f.cache.removeAll(Set.of("d"));
        assertEquals(1, f.writer.calls.size());
        release.countDown();
        f.flushThreaded();
        assertEquals(Map.of("a", "again", "c", "3", "e", "5"), f.writer.store);
      }
    }

    @Test
    void writerExceptionsNeverReachTheCaller() {
      try (CacheFixture f = CacheFixture.threaded(defaults().batchSize(1))) {
        f.writer.failNextCalls.set(Integer.MAX_VALUE);
        for (int i = 0; i < 20; i++) { // the flusher fails on other threads meanwhile
          String key = "k" + (i % 4);
          f.cache.put(key, "v" + i);
          f.cache.getAndPut(key, "w" + i);
          f.cache.putAll(Map.of(key, "x" + i, "other", "y" + i));
          f.cache.invoke(key, new SetOrRemove(), "z" + i);
          f.cache.invoke(key, new SetOrRemove());
          f.cache.putIfAbsent(key, "p" + i);
          f.cache.remove("other");
        }
        eventually(() -> f.stats().failed() > 0);
        f.writer.failNextCalls.set(0);
        f.flushThreaded();
        assertEquals(Map.of("k0", "p16", "k1", "p17", "k2", "p18", "k3", "p19"), f.writer.store);
      }
    }
  }

  // ------------------------------------------------------------------ 2. order per key

  @Nested
  class OrderPerKey {

    @Test
    void everyMutationKindReachesTheWriterInCacheOrder() {
      // without coalescing the writer must see every state of the key, in the cache's order
      try (CacheFixture f = CacheFixture.inline(defaults().coalescing(false).batchSize(4))) {
        List<String> expected = new ArrayList<>();
        f.cache.put("k", "v1");
        expected.add("=v1");
        f.cache.remove("k");
        expected.add("deleted");
        f.cache.put("k", "v2");
        expected.add("=v2");
        f.cache.put("other", "x");
        assertEquals("v2", f.cache.getAndPut("k", "v3"));
        expected.add("=v3");
        assertTrue(f.cache.replace("k", "v4"));
        expected.add("=v4");
        assertTrue(f.cache.replace("k", "v4", "v5"));
        expected.add("=v5");
        f.cache.invoke("k", new SetOrRemove(), "v6");
        expected.add("=v6");
        f.cache.invoke("k", new SetOrRemove());
        expected.add("deleted");
        assertTrue(f.cache.putIfAbsent("k", "v7"));
        expected.add("=v7");
        f.cache.removeAll(Set.of("k", "other"));
        expected.add("deleted");
        f.cache.put("k", "v8");
        expected.add("=v8");
        assertEquals("v8", f.cache.getAndReplace("k", "v9"));
        expected.add("=v9");
        assertTrue(f.cache.remove("k", "v9"));
        expected.add("deleted");
        f.cache.put("k", "v10");
        expected.add("=v10");
        f.cache.removeAll();
        expected.add("deleted");
        f.cache.put("k", "v11");
        expected.add("=v11");
        assertEquals("v11", f.cache.getAndRemove("k"));
        expected.add("deleted");
        f.cache.invokeAll(Set.of("k"), new SetOrRemove(), "v12");
        expected.add("=v12");
        f.drainInline();
        assertEquals(expected, f.writer.historyOf("k"));
        assertEquals(List.of("=x", "deleted"), f.writer.historyOf("other"));
        assertEquals(Set.of(), f.writer.overlaps);
      }
    }

    @Test
    void orderHoldsAcrossRetries() {
      try (CacheFixture f = CacheFixture.inline(defaults().coalescing(false).batchSize(2))) {
        f.writer.failNextCalls.set(5);
        f.cache.put("k", "v1");
        f.cache.put("j", "w1");
        f.cache.remove("k");
        f.cache.put("k", "v2");
        f.cache.remove("j");
        f.drainInline();
        assertEquals(List.of("=v1", "deleted", "=v2"), f.writer.historyOf("k"));
        assertEquals(List.of("=w1", "deleted"), f.writer.historyOf("j"));
        assertTrue(f.stats().retried() > 0);
      }
    }

    @Test
    void coalescedKeyEndsInTheCachesLastState() {
      try (CacheFixture f = CacheFixture.inline(defaults())) {
        f.cache.put("k", "v1");
        f.cache.remove("k");
        f.drainInline();
        f.cache.put("j", "w1");
        f.cache.remove("j");
        f.cache.put("j", "w2");
        f.drainInline();
        assertFalse(f.writer.store.containsKey("k"));
        List<String> k = f.writer.historyOf("k");
        assertTrue(k.isEmpty() || k.equals(List.of("deleted")), k.toString());
        assertEquals(List.of("=w2"), f.writer.historyOf("j"));
      }
    }
  }

  // ------------------------------------------------------------------ 3. coalescing

  @Test
  void hundredPutsOfOneKeyMakeOneWriteOfTheLastValue() {
    try (CacheFixture f = CacheFixture.inline(defaults().maxWriteDelay(Duration.ofMillis(100)))) {
      for (int i = 0; i < 100; i++) {
        f.cache.put("k", "v" + i);
      }
      f.scheduler.advance(Duration.ofMillis(100));
      assertEquals(1, f.writer.calls.size());
      RecordingWriter.Call call = f.writer.calls.get(0);
      assertEquals(List.of("k"), call.keys());
      assertEquals(List.of("v99"), call.values());
      assertEquals(99, f.stats().coalesced());
    }
  }

  // ------------------------------------------------------------------ 4. batching

  @Test
  void batchesLeaveWhenFullOrWhenTheOldestHasWaitedMaxWriteDelay() {
    try (CacheFixture f = CacheFixture.inline(defaults().maxWriteDelay(Duration.ofMillis(100)))) {
      for (int i = 0; i < 7; i++) {
        f.cache.put("k" + i, "v" + i);
      }
      f.scheduler.runDue();
      assertEquals(List.of(List.of("k0", "k1", "k2"), List.of("k3", "k4", "k5")),
          f.writer.callKeys(), "two full batches leave at once");
      f.scheduler.advance(Duration.ofMillis(99));
      assertEquals(2, f.writer.calls.size(), "a partial batch waits for maxWriteDelay");
      f.scheduler.advance(Duration.ofMillis(1));
      assertEquals(List.of("k6"), f.writer.calls.get(2).keys());

      f.cache.removeAll(Set.of("k0", "k1", "k2", "k3", "k4"));
      f.cache.putAll(Map.of("a", "1", "b", "2"));
      f.drainInline();
      for (RecordingWriter.Call call : f.writer.calls) {
        assertTrue(call.keys().size() <= 3, call.toString());
        assertTrue(call.kind().equals("writeAll") || call.kind().equals("deleteAll"), call.kind());
      }
      assertEquals(Map.of("k5", "v5", "k6", "v6", "a", "1", "b", "2"), f.writer.store);
    }
  }

  // ------------------------------------------------------------------ 5. partial failure

  @Test
  void onlyWhatTheWriterLeftInTheCollectionIsRetried() {
    try (CacheFixture f = CacheFixture.inline(defaults().batchSize(10))) {
      f.writer.poison = "bad"::equals;
      Map<String, String> entries = new LinkedHashMap<>();
      entries.put("a", "1");
      entries.put("bad", "2");
      entries.put("c", "3");
      f.cache.putAll(entries);
      f.scheduler.advance(HOUR);
      assertEquals(Map.of("a", "1", "c", "3"), f.writer.store);
      int calls = f.writer.calls.size();
      f.scheduler.advance(Duration.ofSeconds(1));
      assertTrue(f.writer.calls.size() > calls, "retried");
      for (RecordingWriter.Call call : f.writer.calls.subList(1, f.writer.calls.size())) {
        assertEquals(List.of("bad"), call.keys(), "only the leftover is retried");
      }
      assertEquals(List.of("=1"), f.writer.historyOf("a"));
      f.writer.poison = key -> false;
      f.drainInline();
      assertEquals("2", f.writer.store.get("bad"));
      assertEquals("2", f.cache.get("bad"));
    }
  }

  @Test
  void aWholeFailureIsSplitUntilThePoisonIsIsolated() {
    try (CacheFixture f = CacheFixture.inline(defaults().batchSize(8))) {
      f.writer.poison = "bad"::equals;
      f.writer.poisonFailsWholeCall = true;
      for (int i = 0; i < 8; i++) {
        f.cache.put(i == 5 ? "bad" : "k" + i, "v" + i);
      }
      for (int i = 0; i < 50 && f.writer.store.size() < 7; i++) {
        f.scheduler.advance(Duration.ofSeconds(1));
      }
      assertEquals(7, f.writer.store.size(), "every key but the poison is written");
      assertTrue(f.cache.containsKey("bad"));
      assertEquals(1, f.stats().pendingOperations());
    }
  }

  // ------------------------------------------------------------------ 6. retry and dead letter

  @Nested
  class DeadLetters {

    private CacheFixture failingBad() {
      CacheFixture f = CacheFixture.inline(defaults().maxAttempts(3));
      f.writer.poison = "bad"::equals;
      return f;
    }

    private dev.jotter.writebehind.DeadLetters<String, String> queue(CacheFixture f) {
      return JotterCache.of(f.cache).deadLetters().orElseThrow();
    }

    @Test
    void exhaustedRetriesGoToTheDeadLetterQueueAndCanBeResubmitted() {
      try (CacheFixture f = failingBad()) {
        f.cache.put("bad", "v1");
        f.cache.put("good", "g");
        f.drainInline();
        dev.jotter.writebehind.DeadLetters<String, String> queue = queue(f);
        assertEquals(1, queue.size());
        DeadLetter<String, String> letter = queue.list().get(0);
        assertEquals("bad", letter.key());
        assertEquals("v1", letter.value());
        assertEquals(3, letter.attempts());
        assertEquals(1, f.stats().deadLettered());
        assertEquals("v1", f.cache.get("bad"), "the cache keeps its state");
        assertEquals("g", f.writer.store.get("good"));

        f.writer.poison = key -> false;
        assertTrue(letter.resubmit());
        f.drainInline();
        assertEquals("v1", f.writer.store.get("bad"));
        assertFalse(letter.resubmit(), "a letter is resubmitted once");
      }
    }

    @Test
    void aNewerPutSupersedesTheDeadLetter() {
      try (CacheFixture f = failingBad()) {
        f.cache.put("bad", "v1");
        f.drainInline();
        DeadLetter<String, String> letter = queue(f).list().get(0);
        f.writer.poison = key -> false;
        f.cache.put("bad", "v2");
        assertEquals(0, queue(f).size(), "superseded");
        assertFalse(letter.resubmit(), "a stale letter cannot overwrite the newer put");
        f.drainInline();
        assertEquals("v2", f.writer.store.get("bad"));
        assertEquals(List.of("=v2"), f.writer.historyOf("bad"));
      }
    }

    @Test
    void aNewerRemoveSupersedesTheDeadLetter() {
      try (CacheFixture f = failingBad()) {
        f.cache.put("bad", "v1");
        f.drainInline();
        DeadLetter<String, String> letter = queue(f).list().get(0);
        f.writer.poison = key -> false;
        f.cache.remove("bad");
        assertFalse(letter.resubmit());
        f.drainInline();
        assertEquals(List.of("deleted"), f.writer.historyOf("bad"));
      }
    }
  }

  // ------------------------------------------------------------------ 7. reads never travel back

  @Nested
  class ReadsNeverTravelBack {

    /** Read-through, entries expire a minute after creation on the fake clock; nothing flushes. */
    private CacheFixture expiring() {
      return readThrough(CacheFixture::defaults, config -> config.setExpiryPolicyFactory(
          CreatedExpiryPolicy.factoryOf(javax.cache.expiry.Duration.ONE_MINUTE)));
    }

    /** The database holds "old"; the cache then holds a pending "new" whose entry expired. */
    private CacheFixture pendingPutExpired() {
      CacheFixture f = expiring();
      prime(f, "k", "old");
      f.cache.put("k", "new");
      f.ticker.advance(Duration.ofMinutes(2)); // the clock only: the flusher does not run
      assertEquals(1, f.stats().pendingOperations());
      f.loads.set(0);
      return f;
    }

    private void assertNoLoadAndDatabaseStillOld(CacheFixture f) {
      assertEquals(0, f.loads.get(), "the loader was asked while a write was pending");
      assertEquals("old", f.writer.store.get("k"), "the write was still pending");
    }

    @Test
    void getAnswersAPendingPutOfAnExpiredEntry() {
      try (CacheFixture f = pendingPutExpired()) {
        assertEquals("new", f.cache.get("k"));
        assertNoLoadAndDatabaseStillOld(f);
      }
    }

    @Test
    void getAllAnswersAPendingPutOfAnExpiredEntry() {
      try (CacheFixture f = pendingPutExpired()) {
        assertEquals(Map.of("k", "new"), f.cache.getAll(Set.of("k")));
        assertNoLoadAndDatabaseStillOld(f);
      }
    }

    @Test
    void containsKeyAnswersAPendingPutOfAnExpiredEntry() {
      try (CacheFixture f = pendingPutExpired()) {
        assertTrue(f.cache.containsKey("k"));
        assertNoLoadAndDatabaseStillOld(f);
      }
    }

    @Test
    void invokeAnswersAPendingPutOfAnExpiredEntry() {
      try (CacheFixture f = pendingPutExpired()) {
        assertEquals("new", f.cache.invoke("k", new Read()));
        assertNoLoadAndDatabaseStillOld(f);
      }
    }

    @Test
    void aDeadLetterOfAnExpiredEntryAnswersReadsNotTheLoader() {
      try (CacheFixture f = readThrough(() -> defaults().maxAttempts(1),
          config -> config.setExpiryPolicyFactory(
              CreatedExpiryPolicy.factoryOf(javax.cache.expiry.Duration.ONE_MINUTE)))) {
        prime(f, "k", "old");
        f.writer.poison = "k"::equals;
        f.cache.put("k", "new");
        f.drainInline();
        assertEquals(1, JotterCache.of(f.cache).deadLetters().orElseThrow().size());
        f.ticker.advance(Duration.ofMinutes(2)); // the entry expires; the letter stays
        f.loads.set(0);
        assertEquals("new", f.cache.get("k"), "the letter is the key's newest state");
        assertTrue(f.cache.containsKey("k"));
        assertEquals(0, f.loads.get(), "the loader would read the database's older state");
        assertEquals("old", f.writer.store.get("k"));
      }
    }

    @Test
    void aPendingRemoveAnswersAbsent() {
      try (CacheFixture f = expiring()) {
        prime(f, "k", "old");
        f.cache.remove("k");
        f.loads.set(0);
        assertNull(f.cache.get("k"));
        assertEquals(Map.of(), f.cache.getAll(Set.of("k")));
        assertFalse(f.cache.containsKey("k"));
        assertNull(f.cache.invoke("k", new Read()));
        assertNoLoadAndDatabaseStillOld(f);
      }
    }

    @Test
    void getAnswersAPendingPutOfAnEvictedEntry() {
      try (CacheFixture f = readThrough(() -> defaults().batchSize(1_000),
          config -> config.setMaximumSize(1))) {
        prime(f, "k", "old");
        f.cache.put("k", "new");
        for (int i = 0; i < 1_000 && inMemory(f.cache, "k"); i++) {
          f.cache.put("filler" + i, "x");
        }
        assertFalse(inMemory(f.cache, "k"), "maximumSize 1 evicted the entry");
        f.loads.set(0);
        assertEquals("new", f.cache.get("k"));
        assertEquals(Map.of("k", "new"), f.cache.getAll(Set.of("k")));
        assertNoLoadAndDatabaseStillOld(f);
      }
    }

    @Test
    void onceWrittenTheLoaderAnswersAgain() {
      try (CacheFixture f = pendingPutExpired()) {
        f.drainInline();
        f.ticker.advance(Duration.ofMinutes(2));
        assertEquals("new", f.cache.get("k"));
        assertEquals(1, f.loads.get());
      }
    }

    private boolean inMemory(Cache<String, String> cache, String key) {
      for (Cache.Entry<String, String> entry : cache) {
        if (entry.getKey().equals(key)) {
          return true;
        }
      }
      return false;
    }
  }

  // ------------------------------------------------------------------ 8. bounded buffer

  @Nested
  class Overflow {

    /**
     * Four slots: a, b and d are in a batch the flusher has not sent yet, e waits; c is "old" in the
     * database and the cache. With {@code failing}, every writer call fails, so no slot frees up.
     */
    private CacheFixture full(OverflowPolicy policy, boolean failing) {
      CacheFixture f = new CacheFixture(defaults().batchSize(3).maxPendingOperations(4)
          .overflowPolicy(policy), false, config -> {});
      prime(f, "c", "old");
      f.writer.failNextCalls.set(failing ? Integer.MAX_VALUE : 0);
      for (String key : List.of("a", "b", "d", "e")) {
        f.cache.put(key, "1");
      }
      assertEquals(4, f.stats().pendingOperations());
      return f;
    }

    @Test
    void failRefusesAtOnceAndLeavesTheCacheUnchanged() {
      try (CacheFixture f = full(OverflowPolicy.FAIL, false)) {
        assertThrows(CacheWriterException.class, () -> f.cache.put("c", "new"));
        assertThrows(CacheWriterException.class, () -> f.cache.remove("c"));
        assertThrows(CacheWriterException.class, () -> f.cache.getAndPut("c", "new"));
        assertThrows(CacheWriterException.class,
            () -> f.cache.invoke("c", new SetOrRemove(), "new"));
        assertEquals("old", f.cache.get("c"));
        f.cache.put("e", "2"); // coalesces with the waiting operation: needs no slot
        assertTrue(f.stats().overflowEvents() >= 4, f.stats().toString());
        f.drainInline();
        assertEquals(Map.of("a", "1", "b", "1", "d", "1", "e", "2", "c", "old"), f.writer.store);
      }
    }

    @Test
    void aRefusedPutAllLeavesTheCacheUnchanged() {
      try (CacheFixture f = full(OverflowPolicy.FAIL, false)) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("e", "2"); // coalesces: would need no slot
        entries.put("c", "new"); // refused: the buffer is full
        assertThrows(CacheWriterException.class, () -> f.cache.putAll(entries));
        assertEquals("1", f.cache.get("e"));
        assertEquals("old", f.cache.get("c"));
      }
    }

    @Test
    void aBulkOperationLargerThanTheBufferIsRefusedAndChangesNothing() {
      try (CacheFixture f = new CacheFixture(defaults().batchSize(2).maxPendingOperations(2)
          .overflowPolicy(OverflowPolicy.FAIL), false, config -> {})) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("a", "1");
        entries.put("b", "1");
        entries.put("c", "1");
        assertThrows(CacheWriterException.class, () -> f.cache.putAll(entries));
        assertFalse(f.cache.containsKey("a"));
        assertFalse(f.cache.containsKey("b"));
        assertEquals(0, f.stats().pendingOperations());
        assertThrows(CacheWriterException.class, () -> f.cache.removeAll(entries.keySet()));
      }
    }

    @Test
    void blockTimesOutThenFailsAndLeavesTheCacheUnchanged() {
      try (CacheFixture f = full(OverflowPolicy.BLOCK, true)) {
        int timers = f.scheduler.timersScheduled();
        CompletableFuture<Void> put = CompletableFuture.runAsync(() -> f.cache.put("c", "new"),
            f.threads);
        eventually(() -> f.scheduler.timersScheduled() > timers); // it armed its deadline
        assertFalse(put.isDone());
        f.scheduler.advance(Duration.ofMillis(999));
        assertFalse(put.isDone(), "blocks for blockTimeout");
        f.scheduler.advance(Duration.ofMillis(1));
        eventually(put::isDone);
        assertTrue(put.isCompletedExceptionally());
        Throwable cause = assertThrows(Exception.class, put::join).getCause();
        assertTrue(cause instanceof CacheWriterException, String.valueOf(cause));
        assertEquals("old", f.cache.get("c"));
      }
    }

    @Test
    void blockSucceedsWhenRoomFreesUp() {
      try (CacheFixture f = new CacheFixture(defaults().batchSize(2).maxPendingOperations(2)
          .overflowPolicy(OverflowPolicy.BLOCK), false, config -> {})) {
        f.cache.put("a", "1");
        f.cache.put("b", "1"); // a full batch, queued for the flusher
        CompletableFuture<Void> put = CompletableFuture.runAsync(() -> f.cache.put("c", "new"),
            f.threads);
        eventually(() -> f.stats().overflowEvents() > 0);
        assertFalse(put.isDone());
        f.scheduler.runDue(); // the flusher writes a and b
        eventually(put::isDone);
        put.join();
        assertEquals("new", f.cache.get("c"));
        f.drainInline();
        assertEquals("new", f.writer.store.get("c"));
      }
    }

    @Test
    void writeThroughWritesSynchronouslyWithoutReordering() throws Exception {
      CountDownLatch writerBlocked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (CacheFixture f = new CacheFixture(defaults().batchSize(1).maxPendingOperations(2)
          .overflowPolicy(OverflowPolicy.WRITE_THROUGH), true, config -> {})) {
        f.writer.onCall = call -> {
          if (call.keys().contains("a") && call.values().contains("1")) {
            writerBlocked.countDown();
            await(release);
          }
        };
        f.cache.put("a", "1"); // in flight, held by the writer
        assertTrue(writerBlocked.await(10, TimeUnit.SECONDS));
        f.cache.put("b", "1"); // waits behind the busy flusher: the buffer is full
        // c has nothing pending: the caller writes it itself, before put returns
        f.cache.put("c", "new");
        assertEquals("new", f.writer.store.get("c"));
        assertTrue(f.writer.callsWith("c").stream().anyMatch(call -> call.kind().equals("write")));
        // a is in flight: its write-through must wait for it, never overtake it
        CompletableFuture<Void> putA = CompletableFuture.runAsync(() -> f.cache.put("a", "2"),
            f.threads);
        assertThrows(Exception.class, () -> putA.get(200, TimeUnit.MILLISECONDS));
        release.countDown();
        putA.get(10, TimeUnit.SECONDS);
        f.flushThreaded();
        assertEquals(List.of("=1", "=2"), f.writer.historyOf("a"));
        assertEquals(Map.of("a", "2", "b", "1", "c", "new"), f.writer.store);
      }
    }
  }

  // ------------------------------------------------------------------ 9. flush and close

  @Nested
  class FlushAndClose {

    @Test
    void flushReturnsAfterEverythingAcknowledgedBeforeIsWritten() {
      try (CacheFixture f = CacheFixture.threaded(defaults())) {
        for (int i = 0; i < 10; i++) {
          f.cache.put("k" + i, "v" + i);
        }
        f.cache.remove("k3");
        f.cache.remove("k7");
        f.writer.failNextCalls.set(2);
        f.flushThreaded();
        assertEquals(0, f.stats().pendingOperations());
        for (int i = 0; i < 10; i++) {
          assertEquals(f.cache.get("k" + i), f.writer.store.get("k" + i), "k" + i);
        }
      }
    }

    @Test
    void flushWithATimeoutReportsWhetherItFinished() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      try (CacheFixture f = CacheFixture.threaded(defaults())) {
        f.writer.onCall = call -> await(release);
        f.cache.put("k", "v");
        int timers = f.scheduler.timersScheduled();
        CompletableFuture<FlushResult> flushed = CompletableFuture.supplyAsync(
            () -> f.jotter.flush(Duration.ofSeconds(1)), f.threads);
        eventually(() -> f.scheduler.timersScheduled() > timers);
        f.scheduler.advance(Duration.ofSeconds(1));
        assertFalse(flushed.get(10, TimeUnit.SECONDS).completed());
        release.countDown();
        assertTrue(f.jotter.flush(Duration.ofSeconds(10)).completed());
        assertEquals("v", f.writer.store.get("k"));
      }
    }

    @Test
    void cacheCloseDrains() {
      try (CacheFixture f = CacheFixture.threaded(defaults())) {
        f.cache.put("a", "1");
        f.cache.put("b", "2");
        f.cache.remove("c");
        f.whileAdvancing(f.cache::close);
        assertEquals(Map.of("a", "1", "b", "2"), f.writer.store);
        assertEquals(List.of("deleted"), f.writer.historyOf("c"));
        assertEquals(0, f.stats().lost());
      }
    }

    @Test
    void cacheManagerCloseDrains() {
      try (CacheFixture f = CacheFixture.threaded(defaults())) {
        f.cache.put("a", "1");
        f.cache.remove("b");
        f.whileAdvancing(f.manager::close);
        assertTrue(f.cache.isClosed());
        assertEquals(Map.of("a", "1"), f.writer.store);
        assertEquals(List.of("deleted"), f.writer.historyOf("b"));
      }
    }

    @Test
    void cachingProviderCloseDrains() {
      try (CacheFixture f = CacheFixture.threaded(defaults())) {
        f.cache.put("a", "1");
        f.cache.remove("b");
        f.whileAdvancing(f.provider::close);
        assertTrue(f.cache.isClosed());
        assertEquals(Map.of("a", "1"), f.writer.store);
        assertEquals(List.of("deleted"), f.writer.historyOf("b"));
      }
    }

    @Test
    void whatCannotBeDrainedInTimeIsReportedLost() {
      try (CacheFixture f = CacheFixture.threaded(defaults().drainTimeout(Duration.ofSeconds(2)))) {
        // before the mutations: a full batch leaves at once
        f.writer.failNextCalls.set(Integer.MAX_VALUE);
        f.cache.put("a", "1");
        f.cache.put("b", "2");
        f.cache.remove("c");
        // the failed call must be accounted before the close: the drain timeout is on the fake
        // clock, which the close below moves on faster than a busy machine may run the flusher
        eventually(() -> f.stats().failed() > 0);
        f.whileAdvancing(f.cache::close);
        WriteBehindStatistics stats = f.stats();
        assertEquals(3, stats.lost(), stats.toString());
        assertEquals(Map.of(), f.writer.store);
      }
    }

    @Test
    void clearNeverReachesTheWriter() {
      try (CacheFixture f = CacheFixture.inline(defaults())) {
        prime(f, "a", "1");
        f.cache.put("b", "2");
        f.cache.clear();
        f.drainInline();
        assertEquals(Map.of("a", "1", "b", "2"), f.writer.store, "pending writes still go");
        assertTrue(f.writer.calls.stream()
            .noneMatch(call -> call.kind().startsWith("delete")), f.writer.calls.toString());
      }
    }
  }

  // ------------------------------------------------------------------ every mutation

  /** A mutation of key "k"; the database and the cache start with k=old unless the row says absent. */
  interface Mutation extends Consumer<Cache<String, String>> {}

  static Stream<Arguments> mutations() {
    return Stream.of(
        row("put", true, c -> c.put("k", "new"), "=new"),
        row("putAll", true, c -> c.putAll(Map.of("k", "new")), "=new"),
        row("putIfAbsent", false, c -> assertTrue(c.putIfAbsent("k", "new")), "=new"),
        row("replace(k, v)", true, c -> assertTrue(c.replace("k", "new")), "=new"),
        row("replace(k, old, v)", true, c -> assertTrue(c.replace("k", "old", "new")), "=new"),
        row("getAndPut", true, c -> assertEquals("old", c.getAndPut("k", "new")), "=new"),
        row("getAndReplace", true, c -> assertEquals("old", c.getAndReplace("k", "new")), "=new"),
        row("remove(k)", true, c -> assertTrue(c.remove("k")), "deleted"),
        row("remove(k, old)", true, c -> assertTrue(c.remove("k", "old")), "deleted"),
        row("getAndRemove", true, c -> assertEquals("old", c.getAndRemove("k")), "deleted"),
        row("removeAll(keys)", true, c -> c.removeAll(Set.of("k")), "deleted"),
        row("removeAll()", true, Cache::removeAll, "deleted"),
        row("invoke set", true, c -> c.invoke("k", new SetOrRemove(), "new"), "=new"),
        row("invoke remove", true, c -> c.invoke("k", new SetOrRemove()), "deleted"),
        row("invokeAll set", true, c -> c.invokeAll(Set.of("k"), new SetOrRemove(), "new"), "=new"),
        row("invokeAll remove", true, c -> c.invokeAll(Set.of("k"), new SetOrRemove()), "deleted"));
  }

  private static Arguments row(String name, boolean present, Mutation mutation, String expected) {
    return Arguments.of(name, present, mutation, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutations")
  void everyMutationReachesTheWriterThroughWriteBehind(String name, boolean present,
      Mutation mutation, String expected) {
    try (CacheFixture f = CacheFixture.inline(defaults())) {
      if (present) {
        prime(f, "k", "old");
      }
      int calls = f.writer.calls.size();
      f.writer.failNextCalls.set(1); // and the writer's failure never reaches the caller
      mutation.accept(f.cache);
      assertEquals(calls, f.writer.calls.size(), name + " called the writer synchronously");
      assertEquals(1, f.stats().pendingOperations(), name + " is pending");
      f.drainInline();
      List<String> history = f.writer.historyOf("k");
      assertEquals(expected, history.get(history.size() - 1), name);
      assertEquals(expected.equals("deleted") ? null : "new", f.writer.store.get("k"));
      assertTrue(f.stats().retried() > 0, "the first writer call failed and was retried");
    }
  }

  // ------------------------------------------------------------------ declarative configuration

  /** The writer of the declared cache: JCache builds it through this factory. */
  public static final class DeclaredWriterFactory implements Factory<CacheWriter<Object, Object>> {
    static volatile RecordingWriter writer;

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CacheWriter<Object, Object> create() {
      return (CacheWriter) writer;
    }
  }

  @Test
  void aCacheManagerFromADeclarativeFileYieldsAWriteBehindCache(@TempDir Path dir)
      throws IOException {
    DeclaredWriterFactory.writer = new RecordingWriter(() -> 0L);
    Path file = dir.resolve("jotter.properties");
    Files.writeString(file, "caches = orders\n"
        + "cache.orders.key-type = java.lang.String\n"
        + "cache.orders.value-type = java.lang.String\n"
        + "cache.orders.writer-factory = " + DeclaredWriterFactory.class.getName() + "\n"
        + "cache.orders.write-behind.batch-size = 2\n"
        + "cache.orders.write-behind.max-write-delay = 1h\n");
    CacheManager manager = Caching.getCachingProvider().getCacheManager(file.toUri(),
        getClass().getClassLoader());
    try {
      Cache<String, String> cache = manager.getCache("orders", String.class, String.class);
      @SuppressWarnings("unchecked")
      JotterCache<String, String> jotter = cache.unwrap(JotterCache.class);
      assertTrue(jotter.writeBehindStatistics().isPresent(), "declared write-behind");
      cache.put("o1", "x");
      assertEquals(List.of(), DeclaredWriterFactory.writer.calls, "put did not wait for the writer");
      cache.put("o2", "y");
      cache.put("o3", "z");
      cache.remove("o1");
      assertTrue(jotter.flush(Duration.ofSeconds(10)).completed());
      assertEquals(Map.of("o2", "y", "o3", "z"), DeclaredWriterFactory.writer.store);
      for (RecordingWriter.Call call : DeclaredWriterFactory.writer.calls) {
        assertTrue(call.keys().size() <= 2, "declared batch-size 2: " + call);
        assertTrue(call.kind().endsWith("All"), "batched: " + call);
      }
    } finally {
      manager.close();
    }
  }

  @Test
  void aDeclaredCacheWithWriteBehindSettingsHasThem(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("jotter.properties");
    Files.writeString(file, "caches = orders\n"
        + "cache.orders.key-type = java.lang.String\n"
        + "cache.orders.value-type = java.lang.String\n"
        + "cache.orders.writer-factory = " + DeclaredWriterFactory.class.getName() + "\n"
        + "cache.orders.write-behind.batch-size = 7\n");
    URI uri = file.toUri();
    dev.jotter.configuration.ConfigurationFile declared;
    try (var in = Files.newInputStream(file)) {
      declared = dev.jotter.configuration.ConfigurationFile.read(uri.toString(), in,
          getClass().getClassLoader());
    }
    assertEquals(7, declared.caches().get("orders").getWriteBehind().batchSize());
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
