package dev.jotter.examples.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.demo.Agreement;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Write-behind of a Jotter cache through {@link JdbcCacheWriter} into a real database: what the
 * write-behind contract promises when the database goes away, rejects a row, or stops answering.
 * A subclass per database supplies the database.
 *
 * <p>The tests drive the cache through the JCache API only, and reach the provider only through
 * {@code unwrap(JotterCache.class)} for {@code flush}, the write-behind statistics and the dead
 * letters. "Table equals cache" is {@link Agreement}: every key the test touched and every key the
 * cache holds has the same order in both, or is absent from both. Nothing sleeps: the tests wait
 * for conditions, with deadlines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WriteBehindJdbcContract {

  /** The running database, started by the subclass before the first test. */
  abstract TestDatabase database();

  private static final AtomicInteger CACHES = new AtomicInteger();
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(30);

  /** The order whose row another client keeps locked in the overflow tests. */
  private static final long LOCKED_KEY = 1;
  /** The buffer bound of the overflow tests. */
  private static final int MAX_PENDING = 40;

  private CacheManager manager;
  private JdbcCacheLoader table;
  private final List<String> caches = new ArrayList<>();
  private RowLock rowLock;

  @BeforeEach
  void emptyTable() throws SQLException {
    OrderTable.create(database().dataSource());
    try (Connection connection = database().dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DELETE FROM orders");
    }
    table = new JdbcCacheLoader(database().dataSource());
    manager = Caching.getCachingProvider().getCacheManager();
  }

  @AfterEach
  void destroyCaches() {
    if (rowLock != null) {
      rowLock.close(); // before the caches drain, or they would wait for the lock
      rowLock = null;
    }
    caches.forEach(manager::destroyCache);
    caches.clear();
  }

  // ------------------------------------------------------------------ (a) outage

  @Test
  void databaseOutageMidStreamLosesNothingAndKeepsOrderPerKey() throws Exception {
    String name = newCacheName();
    Cache<Long, Order> cache = createCache(name, fast().build());
    JotterCache<Long, Order> jotter = jotter(cache);
    MutationStream stream = new MutationStream(cache, 40, 11);

    stream.run(300);
    Await.until("the writer has written before the outage", AWAIT_TIMEOUT,
        () -> statistics(jotter).written() > 0, () -> statistics(jotter));

    database().stop();
    try {
      // Acknowledged at once while the database is down: the callers never wait for the writer.
      long callsAtStop = statistics(jotter).writerCalls();
      stream.run(300);
      // Several failed calls, each after a longer back-off, and operations that wait for another
      // attempt (a failed operation whose key has a newer one is dropped for it instead).
      Await.until("the writer has failed three calls and retries the newest operations",
          AWAIT_TIMEOUT, () -> statistics(jotter).writerCalls() >= callsAtStop + 3
              && statistics(jotter).retried() > 0, () -> statistics(jotter));
      WriteBehindStatistics during = statistics(jotter);
      assertTrue(during.pendingOperations() > 0, "pending during the outage: " + during);
      assertEquals(0, during.deadLettered(), "the outage is carried by retries: " + during);
    } finally {
      database().start();
    }
    stream.run(300);

    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed(), "flushed after the restart: " + statistics(jotter));
    WriteBehindStatistics after = statistics(jotter);
    assertEquals(0, after.pendingOperations(), after.toString());
    assertEquals(0, after.deadLettered(), after.toString());
    assertEquals(0, after.lost(), after.toString());
    assertTrue(after.failed() > 0 && after.retried() > 0, "the outage was seen: " + after);
    assertTableEqualsCache(cache, stream.keys());
    assertEquals(List.of(), VersionOrderWriter.violations(name), "writes of a key out of order");
  }

  @Test
  void aDeadDatabaseIsRecognizedWithinAFewCallsAndTheBatchIsNotSplitFurther() throws Exception {
    Duration backoff = Duration.ofSeconds(2);
    Cache<Long, Order> cache = createCache(newCacheName(), fast()
        .maxWriteDelay(Duration.ofMillis(500)) // the four mutations below leave as one batch
        .initialBackoff(backoff)
        .maxBackoff(backoff)
        .build());
    JotterCache<Long, Order> jotter = jotter(cache);

    database().stop();
    try {
      // writes and deletes alternate; one batch: deleteAll(2, 4), its halves, writeAll(1, 3)
      cache.put(1L, order(1, 100, 1));
      cache.remove(2L);
      cache.put(3L, order(3, 300, 1));
      cache.remove(4L);
      Await.until("every operation of the batch failed", AWAIT_TIMEOUT,
          () -> statistics(jotter).retried() == 4, () -> statistics(jotter));

      // three disjoint key sets failed ({2}, {4}, {1, 3}): the database is down, so the writes
      // are not split to look for poison; from now on one probe per back-off of 2 s
      WriteBehindStatistics failed = statistics(jotter);
      assertEquals(1, failed.batches(), failed.toString());
      assertEquals(4, failed.writerCalls(), "deleteAll(2, 4), (2), (4), writeAll(1, 3): " + failed);
      assertTrue(failed.writerFailingFor().compareTo(backoff) < 0, failed.toString());
    } finally {
      database().start();
    }
    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed());
    assertTableEqualsCache(cache, keys(1, 4));
  }

  // ------------------------------------------------------------------ (b) poison row

  @Test
  void poisonRowIsDeadLetteredWhileEveryOtherRowIsWritten() throws Exception {
    Cache<Long, Order> cache = createCache(newCacheName(), poisonTolerant());
    JotterCache<Long, Order> jotter = jotter(cache);
    long poisonKey = 61;
    Order poison = new Order("mallory", -1, 1); // breaks CHECK (amount_cents >= 0)
    Map<Long, Order> good = new LinkedHashMap<>();
    for (long id = 1; id <= 120; id++) {
      if (id != poisonKey) {
        good.put(id, order(id, id * 100, 1));
      }
    }

    good.forEach((id, value) -> {
      if (id == poisonKey + 1) {
        cache.put(poisonKey, poison); // in the middle of the stream, so inside a full batch
      }
      cache.put(id, value);
    });

    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed(), "flushed: " + statistics(jotter));
    WriteBehindStatistics after = statistics(jotter);
    assertEquals(1, after.deadLettered(), after.toString());
    assertEquals(0, after.pendingOperations(), after.toString());
    DeadLetters<Long, Order> letters = deadLetterQueue(jotter);
    assertEquals(1, letters.size(), letters.list().toString());
    DeadLetter<Long, Order> letter = letters.list().get(0);
    assertEquals(poisonKey, letter.key());
    assertEquals(poison, letter.value());
    assertFalse(letter.isDelete());
    assertEquals(3, letter.attempts(), "maxAttempts");
    assertTrue(hasCause(letter.cause().orElseThrow(), SQLException.class),
        "the database's refusal is kept: " + letter);

    assertEquals(good, table.loadAll(keys(1, 120)), "every other row is in the table");
    assertNull(table.load(poisonKey), "the poison row is not");
    assertEquals(poison, cache.get(poisonKey), "the cache keeps the acknowledged state");
  }

  @Test
  void aNewerMutationOfThePoisonKeySupersedesItsDeadLetter() throws Exception {
    Cache<Long, Order> cache = createCache(newCacheName(), poisonTolerant());
    JotterCache<Long, Order> jotter = jotter(cache);
    for (long id = 1; id <= 10; id++) {
      cache.put(id, order(id, id * 100, 1));
    }
    cache.put(5L, new Order("mallory", -5, 2));
    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed());
    assertEquals(1, deadLetterQueue(jotter).size());

    cache.put(5L, order(5, 500, 3));

    assertEquals(0, deadLetterQueue(jotter).size(), "the stale letter must not be resubmitted");
    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed());
    assertTableEqualsCache(cache, keys(1, 10));
  }

  // ------------------------------------------------------------------ (c) blocked writer

  @Test
  void fullBufferWithFailPolicyRefusesAtOnceAndLeavesTheCacheUnchanged() throws Exception {
    Duration blockTimeout = Duration.ofSeconds(5); // not used by FAIL: shows that nothing waits
    Cache<Long, Order> cache = blockWriterAndFillBuffer(OverflowPolicy.FAIL, blockTimeout);
    JotterCache<Long, Order> jotter = jotter(cache);

    long began = System.nanoTime();
    CacheWriterException refused = assertThrows(CacheWriterException.class,
        () -> cache.put(5_000L, order(5_000, 1, 1)));
    assertTrue(System.nanoTime() - began < blockTimeout.toNanos() / 2, "refused at once");
    assertTrue(refused.getMessage().contains("FAIL"), refused.getMessage());
    assertFalse(cache.containsKey(5_000L), "a refused put leaves no entry");

    // The locked key is in flight, so its next mutation needs a slot as well: refused, old state
    assertThrows(CacheWriterException.class,
        () -> cache.put(LOCKED_KEY, order(LOCKED_KEY, 300, 3)));
    assertThrows(CacheWriterException.class, () -> cache.remove(LOCKED_KEY));
    assertEquals(order(LOCKED_KEY, 200, 2), cache.get(LOCKED_KEY));

    // A key whose operation still waits takes its new state without a slot (coalescing).
    cache.put(1_001L, order(1_001, 9_999, 2));
    cache.remove(1_002L);
    assertBounded(jotter);
    assertTrue(statistics(jotter).overflowEvents() >= 3, statistics(jotter).toString());

    unblockFlushAndAssertTableEqualsCache(cache);
  }

  @Test
  void fullBufferWithBlockPolicyWaitsThenFailsOrProceedsOnceTheWriterDrains() throws Exception {
    Duration blockTimeout = Duration.ofSeconds(1);
    Cache<Long, Order> cache = blockWriterAndFillBuffer(OverflowPolicy.BLOCK, blockTimeout);
    JotterCache<Long, Order> jotter = jotter(cache);

    long began = System.nanoTime();
    CacheWriterException refused = assertThrows(CacheWriterException.class,
        () -> cache.put(5_000L, order(5_000, 1, 1)));
    long waited = System.nanoTime() - began;
    assertTrue(waited >= blockTimeout.toNanos() * 9 / 10,
        "waited " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms for a slot");
    assertTrue(refused.getMessage().contains("BLOCK"), refused.getMessage());
    assertFalse(cache.containsKey(5_000L));
    assertBounded(jotter);

    // A mutation that waits goes through as soon as the writer frees a slot.
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      long overflowsBefore = statistics(jotter).overflowEvents();
      Future<?> waiting = caller.submit(() -> cache.put(5_001L, order(5_001, 1, 1)));
      Await.until("the second put finds the buffer full", AWAIT_TIMEOUT,
          () -> statistics(jotter).overflowEvents() > overflowsBefore, () -> statistics(jotter));
      assertFalse(waiting.isDone(), "the put waits while the writer is blocked");

      rowLock.close();
      waiting.get(AWAIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      caller.shutdownNow();
    }
    assertTrue(cache.containsKey(5_001L));

    unblockFlushAndAssertTableEqualsCache(cache);
  }

  @Test
  void fullBufferWithWriteThroughPolicyMakesTheCallerWrite() throws Exception {
    Cache<Long, Order> cache =
        blockWriterAndFillBuffer(OverflowPolicy.WRITE_THROUGH, Duration.ofMillis(300));
    JotterCache<Long, Order> jotter = jotter(cache);
    WriteBehindStatistics before = statistics(jotter);

    cache.put(5_000L, order(5_000, 1, 1));

    assertEquals(order(5_000, 1, 1), table.load(5_000L),
        "in the table when put returns, while the buffer is still stuck");
    WriteBehindStatistics after = statistics(jotter);
    assertEquals(MAX_PENDING, after.pendingOperations(), "no slot taken: " + after);
    assertEquals(before.writerCalls() + 1, after.writerCalls(), after.toString());
    assertEquals(before.written() + 1, after.written(), after.toString());

    // The caller may not overtake the locked key's pending write: it waits for it, then fails.
    assertThrows(CacheWriterException.class,
        () -> cache.put(LOCKED_KEY, order(LOCKED_KEY, 300, 3)));
    assertEquals(order(LOCKED_KEY, 200, 2), cache.get(LOCKED_KEY));
    assertBounded(jotter);

    unblockFlushAndAssertTableEqualsCache(cache);
  }

  /**
   * Returns a cache whose buffer is full: the writer is stuck on the locked row of
   * {@link #LOCKED_KEY} with that key in flight, and {@code MAX_PENDING - 1} more operations
   * wait behind it. Checks on the way that the buffer never holds more than its bound.
   */
  private Cache<Long, Order> blockWriterAndFillBuffer(OverflowPolicy policy,
      Duration blockTimeout) throws SQLException {
    Cache<Long, Order> cache = createCache(newCacheName(), fast()
        .batchSize(10)
        .maxPendingOperations(MAX_PENDING)
        .flusherThreads(1)
        .overflowPolicy(policy)
        .blockTimeout(blockTimeout)
        .build());
    JotterCache<Long, Order> jotter = jotter(cache);
    cache.put(LOCKED_KEY, order(LOCKED_KEY, 100, 1));
    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed());

    rowLock = new RowLock(database().dataSource(), LOCKED_KEY);
    long callsBefore = statistics(jotter).writerCalls();
    long writtenBefore = statistics(jotter).written();
    cache.put(LOCKED_KEY, order(LOCKED_KEY, 200, 2));
    Await.until("the locked row is sent to the writer", AWAIT_TIMEOUT,
        () -> statistics(jotter).writerCalls() > callsBefore, () -> statistics(jotter));

    for (int i = 1; i < MAX_PENDING; i++) {
      long id = 1_000 + i;
      cache.put(id, order(id, id, 1));
      assertEquals(i + 1, statistics(jotter).pendingOperations(),
          "each put takes a slot, none is freed: " + statistics(jotter));
    }
    WriteBehindStatistics full = statistics(jotter);
    assertEquals(writtenBefore, full.written(), "the writer is stuck: " + full);
    assertEquals(0, full.overflowEvents(), full.toString());
    return cache;
  }

  private void unblockFlushAndAssertTableEqualsCache(Cache<Long, Order> cache) throws Exception {
    rowLock.close();
    JotterCache<Long, Order> jotter = jotter(cache);
    assertTrue(jotter.flush(FLUSH_TIMEOUT).completed(), "flushed once unblocked: " + statistics(jotter));
    WriteBehindStatistics after = statistics(jotter);
    assertEquals(0, after.pendingOperations(), after.toString());
    assertEquals(0, after.deadLettered(), after.toString());
    Set<Long> touched = keys(1_000, 1_000 + MAX_PENDING);
    touched.addAll(List.of(LOCKED_KEY, 5_000L, 5_001L));
    assertTableEqualsCache(cache, touched);
    assertTrue(statistics(jotter).pendingOperations() <= MAX_PENDING);
  }

  private static void assertBounded(JotterCache<Long, Order> jotter) {
    WriteBehindStatistics now = statistics(jotter);
    assertEquals(MAX_PENDING, now.pendingOperations(), "full, and not beyond: " + now);
  }

  // ------------------------------------------------------------------ helpers

  /** Short delays and back-offs, so that a test takes seconds; retries that outlast an outage. */
  private static WriteBehindConfiguration.Builder fast() {
    return WriteBehindConfiguration.builder()
        .batchSize(25)
        .maxWriteDelay(Duration.ofMillis(20))
        .initialBackoff(Duration.ofMillis(10))
        .maxBackoff(Duration.ofMillis(200))
        .backoffMultiplier(2.0)
        .maxAttempts(100_000)
        .maxRetryTime(Duration.ofMinutes(2))
        .drainTimeout(Duration.ofSeconds(5));
  }

  /** Gives up a row after three quick attempts. */
  private static WriteBehindConfiguration poisonTolerant() {
    return fast().maxAttempts(3).maxBackoff(Duration.ofMillis(40)).build();
  }

  private static String newCacheName() {
    return "write-behind-jdbc-" + CACHES.incrementAndGet();
  }

  private Cache<Long, Order> createCache(String name, WriteBehindConfiguration writeBehind) {
    JotterConfiguration<Long, Order> configuration =
        new JotterConfiguration<Long, Order>().setWriteBehind(writeBehind);
    configuration.setTypes(Long.class, Order.class)
        .setReadThrough(true)
        .setCacheLoaderFactory(new JdbcCacheLoaderFactory(database().settings()))
        .setWriteThrough(true)
        .setCacheWriterFactory(VersionOrderWriter.factory(name,
            new JdbcCacheWriterFactory(database().settings())));
    Cache<Long, Order> cache = manager.createCache(name, configuration);
    caches.add(name);
    return cache;
  }

  @SuppressWarnings("unchecked")
  private static JotterCache<Long, Order> jotter(Cache<Long, Order> cache) {
    return cache.unwrap(JotterCache.class);
  }

  private static WriteBehindStatistics statistics(JotterCache<Long, Order> jotter) {
    return jotter.writeBehindStatistics().orElseThrow();
  }

  private static DeadLetters<Long, Order> deadLetterQueue(JotterCache<Long, Order> jotter) {
    return jotter.deadLetters().orElseThrow();
  }

  private void assertTableEqualsCache(Cache<Long, Order> cache, Set<Long> touched)
      throws SQLException {
    Agreement agreement = Agreement.check(cache, touched, table::loadAll);
    assertTrue(agreement.agrees(), agreement.describe());
    long entries = 0;
    for (Cache.Entry<Long, Order> ignored : cache) {
      entries++;
    }
    assertEquals(entries, OrderTable.countRows(database().dataSource()), "rows = entries");
  }

  private static Set<Long> keys(long first, long last) {
    Set<Long> keys = new HashSet<>();
    for (long key = first; key <= last; key++) {
      keys.add(key);
    }
    return keys;
  }

  static Order order(long id, long amountCents, long version) {
    return new Order("customer-" + id, amountCents, version);
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A stream of mutations over a few keys: puts, bulk puts and removes, drawn from a seeded
   * random. Each write carries its step number as the order's version, so the table shows which
   * mutation of a key it holds, and {@link VersionOrderWriter} can tell a write that came late.
   * No reads: with the database down, a read-through miss would fail.
   */
  private static final class MutationStream {
    private final Cache<Long, Order> cache;
    private final int keyCount;
    private final Random random;
    private final Set<Long> keys = new HashSet<>();
    private long step;

    MutationStream(Cache<Long, Order> cache, int keyCount, long seed) {
      this.cache = cache;
      this.keyCount = keyCount;
      this.random = new Random(seed);
    }

    void run(int mutations) {
      for (int i = 0; i < mutations; i++) {
        long key = 1 + random.nextInt(keyCount);
        keys.add(key);
        step++;
        int draw = random.nextInt(10);
        if (draw < 2) {
          cache.remove(key);
        } else if (draw < 3) {
          long other = 1 + random.nextInt(keyCount);
          keys.add(other);
          Map<Long, Order> both = new LinkedHashMap<>();
          both.put(key, order(key, step, step));
          both.put(other, order(other, step, step));
          cache.putAll(both);
        } else {
          cache.put(key, order(key, step, step));
        }
      }
    }

    Set<Long> keys() {
      return keys;
    }
  }

  /**
   * Another client's open transaction holding the row lock of one order: the writer's upsert of
   * that row waits for it, as it would behind a long-running batch job or a forgotten session.
   */
  private static final class RowLock implements AutoCloseable {
    private final Connection connection;
    private boolean released;

    RowLock(DataSource dataSource, long id) throws SQLException {
      connection = dataSource.getConnection();
      connection.setAutoCommit(false);
      try (PreparedStatement update =
          connection.prepareStatement("UPDATE orders SET version = version WHERE id = ?")) {
        update.setLong(1, id);
        assertEquals(1, update.executeUpdate(), "the row to lock exists");
      }
    }

    @Override
    public void close() {
      if (released) {
        return;
      }
      released = true;
      try (connection) {
        connection.rollback();
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot release the row lock", e);
      }
    }
  }
}
