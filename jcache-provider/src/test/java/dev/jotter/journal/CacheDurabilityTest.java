package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.Await;
import dev.jotter.Internals;
import dev.jotter.JotterCache;
import dev.jotter.LogCapture;
import dev.jotter.writebehind.WriteBehindBuffer;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract clause 10 at the level of a cache: what a durable write-behind cache promises across
 * an fsync, a restart on the same journal directory, a second opener and a torn journal tail.
 *
 * <p>A "restart" closes the cache manager while the writer fails, with a zero drain timeout, so
 * the pending operations stay in the journal; a new manager then opens the same directory.
 */
class CacheDurabilityTest {
  private static final AtomicInteger MANAGERS = new AtomicInteger();

  @TempDir Path root;
  private final List<CacheManager> managers = new ArrayList<>();

  /**
   * The database stand-in: fails while {@link #failing}, holds calls at {@link #gate}, and logs
   * every operation it confirms, in order ("k=v" for a write, "k-" for a delete).
   */
  public static final class GatedWriter implements CacheWriter<String, String>, Serializable {
    private static final long serialVersionUID = 1L;
    static volatile boolean failing;
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static final List<String> WRITTEN = Collections.synchronizedList(new ArrayList<>());
    /**
     * Bumped by a crash-like close: a call of an older writer, still in flight on the closed
     * cache's flusher (a close with a zero drain timeout does not wait for it), always fails, as
     * it would against a database that was down at the crash.
     */
    private static int generation;
    private final int born;

    public GatedWriter() {
      synchronized (GatedWriter.class) {
        born = generation;
      }
    }

    static void reset() {
      failing = false;
      gate = new CountDownLatch(0);
      WRITTEN.clear();
    }

    static void retireWriters() {
      synchronized (GatedWriter.class) {
        generation++;
      }
    }

    /** Confirms {@code ops} unless the database is down; atomic with the generation check. */
    private void confirm(List<String> ops) {
      synchronized (GatedWriter.class) {
        if (failing || born != generation) {
          throw new CacheWriterException("database down (test)");
        }
        WRITTEN.addAll(ops);
      }
    }

    private static void enter() {
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new CacheWriterException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheWriterException(e);
      }
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      writeAll(new ArrayList<>(List.of(entry)));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      enter();
      List<String> ops = new ArrayList<>();
      entries.forEach(e -> ops.add(e.getKey() + "=" + e.getValue()));
      confirm(ops);
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      deleteAll(new ArrayList<>(List.of(key)));
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      enter();
      List<String> ops = new ArrayList<>();
      keys.forEach(k -> ops.add(k + "-"));
      confirm(ops);
      keys.clear();
    }
  }

  /** Counts its calls: a read answered from the journal must not reach it. */
  public static final class CountingLoader implements CacheLoader<String, String>, Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicLong CALLS = new AtomicLong();

    @Override
    public String load(String key) {
      CALLS.incrementAndGet();
      return "from-db";
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> all = new java.util.HashMap<>();
      keys.forEach(k -> all.put(k, load(k)));
      return all;
    }
  }

  @BeforeEach
  void reset() {
    GatedWriter.reset();
    CountingLoader.CALLS.set(0);
  }

  @AfterEach
  void closeManagers() {
    // failing, not healthy: with drainTimeout 0 a close does not wait for a retry in flight, and
    // one that succeeded after the close logged its key into the next test's WRITTEN
    GatedWriter.failing = true;
    GatedWriter.gate.countDown();
    managers.forEach(CacheManager::close);
    // a call already past its closed cache's check may still end after the next test began
    GatedWriter.retireWriters();
  }

  private CacheManager newManager() {
    CachingProvider provider = Caching.getCachingProvider();
    CacheManager manager = provider.getCacheManager(
        URI.create("jotter:durability-test-" + MANAGERS.incrementAndGet()),
        getClass().getClassLoader());
    managers.add(manager);
    return manager;
  }

  private WriteBehindConfiguration.Builder writeBehind(Durability durability) {
    return WriteBehindConfiguration.builder()
        .durability(durability)
        .journalDirectory(root)
        .maxWriteDelay(Duration.ofMillis(1))
        .maxAttempts(1_000_000)
        .maxRetryTime(Duration.ofDays(1))
        .initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(50))
        .drainTimeout(Duration.ZERO);
  }

  private Cache<String, String> create(CacheManager manager, String name,
      WriteBehindConfiguration settings) {
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings);
    config.setTypes(String.class, String.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(GatedWriter.class))
        .setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class));
    return manager.createCache(name, config);
  }

  private Path journalOf(String cacheName) {
    return root.resolve("cache-" + URLEncoder.encode(cacheName, StandardCharsets.UTF_8));
  }

  /** The journal the cache opened. */
  private static FileJournal<?, ?> fileJournal(Cache<?, ?> cache) {
    Journal<?, ?> journal = Internals.journalOf(cache);
    assertTrue(journal instanceof FileJournal, "no file journal: " + journal);
    return (FileJournal<?, ?>) journal;
  }

  /** Closes the manager while the writer fails: nothing drains, the journal keeps it all. */
  private void crashLikeClose(CacheManager manager) {
    GatedWriter.failing = true;
    manager.close();
    GatedWriter.retireWriters();
  }

  /* ---------------- SYNC acknowledges after fsync ---------------- */

  @Test
  void syncMutationReturnsOnlyAfterAnFsyncCoveredIt() {
    Cache<String, String> cache = create(newManager(), "sync-ack",
        writeBehind(Durability.SYNC).build());
    FileJournal<?, ?> journal = fileJournal(cache);
    for (int i = 0; i < 40; i++) {
      long syncsBefore = journal.syncCount();
      switch (i % 4) {
        case 0 -> cache.put("k" + i, "v" + i);
        case 1 -> cache.remove("k" + (i - 1));
        case 2 -> cache.getAndPut("k" + i, "v" + i);
        default -> cache.putAll(Map.of("a" + i, "x", "b" + i, "y"));
      }
      // one mutating thread: the newest record is this mutation's (DONE marks take no sequence)
      assertTrue(journal.durableSequence() >= journal.lastSequence(),
          "mutation " + i + " returned before its record was forced: durable "
              + journal.durableSequence() + " < appended " + journal.lastSequence());
      assertTrue(journal.syncCount() > syncsBefore, "mutation " + i + " returned without an fsync");
    }
  }

  @Test
  void asyncMutationReturnsBeforeTheFsync() { // the check above can tell the difference
    Cache<String, String> cache = create(newManager(), "async-ack",
        writeBehind(Durability.ASYNC).syncInterval(Duration.ofHours(1)).build());
    FileJournal<?, ?> journal = fileJournal(cache);
    cache.put("k", "v");
    assertTrue(journal.durableSequence() < journal.lastSequence());
  }

  /** A value class that an allow-list of {@code java.base/*} leaves out. */
  record Parcel(String label) implements Serializable {}

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"}) // the String writer, given String values
  void aClassTheAllowListRejectsFailsTheFirstMutationNotTheReplayAfterACrash() {
    CacheManager manager = newManager();
    JotterConfiguration<String, Object> config = new JotterConfiguration<String, Object>()
        .setWriteBehind(writeBehind(Durability.SYNC).build())
        .setJournalAllowList("java.base/*;!*");
    config.setTypes(String.class, Object.class)
        .setWriteThrough(true)
        .setCacheWriterFactory((javax.cache.configuration.Factory) FactoryBuilder.factoryOf(
            GatedWriter.class));
    Cache<String, Object> cache = manager.createCache("allow-list", config);
    cache.put("number", "seven"); // a class of the allow-list is journaled and written
    IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
        () -> cache.put("parcel", new Parcel("p")));
    assertTrue(rejected.getMessage().contains(Parcel.class.getName())
        && rejected.getMessage().contains("allow-list"), rejected.getMessage());
    assertFalse(cache.containsKey("parcel"), "a mutation that fails leaves the cache unchanged");
    assertThrows(IllegalArgumentException.class, () -> cache.put("again", new Parcel("q")),
        "checked once per class, but a rejected class is never taken as checked");
    JotterCache<?, ?> jotter = cache.unwrap(JotterCache.class);
    assertTrue(jotter.flush(Duration.ofSeconds(30)).allWritten(),
        () -> jotter.writeBehindStatistics().toString());
    assertEquals(List.of("number=seven"), GatedWriter.WRITTEN);
    assertEquals(0, fileJournal(cache).unreadableRecords());
  }

  /* ---------------- Restart: replay, order, reads ---------------- */

  @Test
  void recoveredOperationsAreWrittenBeforeNewerOnesAndAnswerReadsWithoutTheLoader() {
    WriteBehindConfiguration settings = writeBehind(Durability.SYNC).coalescing(false).build();
    CacheManager first = newManager();
    Cache<String, String> before = create(first, "orders", settings);
    GatedWriter.failing = true; // the database is down: everything stays pending
    before.put("k1", "a1");
    before.put("k2", "b1");
    before.put("k3", "c1");
    before.remove("k3");
    before.put("k1", "a2");
    before.put("k4", "d1");
    crashLikeClose(first);
    assertEquals(List.of(), GatedWriter.WRITTEN);

    GatedWriter.failing = false;
    GatedWriter.gate = new CountDownLatch(1); // replayed batches wait while we read and mutate
    Cache<String, String> after = create(newManager(), "orders", settings);
    assertEquals("a2", after.get("k1"));
    assertEquals("b1", after.get("k2"));
    assertNull(after.get("k3"), "a journaled delete answers absent");
    assertTrue(after.containsKey("k4"));
    assertFalse(after.containsKey("k3"));
    assertEquals(Map.of("k1", "a2", "k2", "b1", "k4", "d1"),
        after.getAll(java.util.Set.of("k1", "k2", "k3", "k4")));
    assertEquals(0, CountingLoader.CALLS.get(), "the loader would read the pre-crash database");
    assertEquals("from-db", after.get("never-written")); // the loader does work

    after.put("k1", "a3");
    after.remove("k2");
    after.put("k3", "c2");
    GatedWriter.gate.countDown();
    assertTrue(after.unwrap(JotterCache.class).flush(Duration.ofSeconds(30)).completed());

    List<String> written = new ArrayList<>(GatedWriter.WRITTEN);
    assertEquals(List.of("k1=a1", "k1=a2", "k1=a3"), only("k1", written), written.toString());
    assertEquals(List.of("k2=b1", "k2-"), only("k2", written), written.toString());
    assertEquals(List.of("k3=c1", "k3-", "k3=c2"), only("k3", written), written.toString());
    assertEquals(List.of("k4=d1"), only("k4", written), written.toString());
  }

  @Test
  void aRestartLogsOneInfoLineWithWhatTheJournalGaveBack() {
    WriteBehindConfiguration settings = writeBehind(Durability.SYNC).maxAttempts(1).build();
    CacheManager first = newManager();
    Cache<String, String> before = create(first, "counted", settings);
    GatedWriter.failing = true;
    before.put("dead", "x"); // one attempt: a dead letter
    JotterCache<String, String> jotter = JotterCache.of(before);
    Await.until("a dead letter", () -> jotter.deadLetters().orElseThrow().size() == 1);
    GatedWriter.gate = new CountDownLatch(1); // the rest stays pending
    before.put("k1", "a");
    before.put("k2", "b");
    before.put("k1", "c");
    crashLikeClose(first);

    try (LogCapture log = LogCapture.of(WriteBehindBuffer.class)) {
      create(newManager(), "counted", settings);
      List<String> lines = log.messages(java.util.logging.Level.INFO, "Cache 'counted'");
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).matches("Cache 'counted' recovered its journal: [23] operations"
          + " replayed \\(2 pending after coalescing\\), 1 dead letters \\(1 records\\);"
          + " no damage"), lines.get(0));
    }
  }

  @Test
  void recoveredOperationsCoalesceButNeverReorder() {
    WriteBehindConfiguration settings = writeBehind(Durability.SYNC).build(); // coalescing on
    CacheManager first = newManager();
    Cache<String, String> before = create(first, "coalesced", settings);
    GatedWriter.failing = true;
    for (int i = 0; i < 48; i++) {
      before.put("hot", "v" + i);
      if (i % 7 == 0) {
        before.remove("hot");
      }
    }
    crashLikeClose(first);

    GatedWriter.failing = false;
    // the replayed batch waits until the read below has seen the journaled state: once written,
    // "hot" would rightly be read through the loader, whose stand-in database never changes
    GatedWriter.gate = new CountDownLatch(1);
    Cache<String, String> after = create(newManager(), "coalesced", settings);
    assertEquals("v47", after.get("hot"));
    after.put("hot", "new");
    GatedWriter.gate.countDown();
    assertTrue(after.unwrap(JotterCache.class).flush(Duration.ofSeconds(30)).completed());
    List<String> hot = only("hot", new ArrayList<>(GatedWriter.WRITTEN));
    assertEquals("hot=new", hot.get(hot.size() - 1), hot.toString());
    int lastOld = -1;
    for (String op : hot.subList(0, hot.size() - 1)) {
      int version = op.equals("hot-") ? lastOld : Integer.parseInt(op.substring("hot=v".length()));
      assertTrue(version >= lastOld, "the writer went back in time: " + hot);
      lastOld = version;
    }
    assertEquals(0, CountingLoader.CALLS.get());
  }

  private static List<String> only(String key, List<String> written) {
    return written.stream().filter(op -> op.startsWith(key + "=") || op.equals(key + "-"))
        .toList();
  }

  /* ---------------- One live cache per journal directory ---------------- */

  @Test
  void secondLiveCacheOnTheSameJournalDirectoryIsRefused() throws Exception {
    WriteBehindConfiguration settings = writeBehind(Durability.SYNC).build();
    CacheManager first = newManager();
    Cache<String, String> owner = create(first, "shared", settings);
    CacheManager second = newManager();
    CacheException e = assertThrows(CacheException.class, () -> create(second, "shared", settings));
    assertTrue(e.getMessage().contains("cache 'shared'"), e.getMessage());
    assertTrue(e.getMessage().contains(journalOf("shared").toRealPath().toString())
        || e.getMessage().contains(journalOf("shared").toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("in use by another journal in this JVM"), e.getMessage());
    assertNull(second.getCache("shared", String.class, String.class), "no half-made cache");

    // the refusal must not have weakened the owner's hold against other processes
    assertEquals(LockProbeMain.REFUSED, probeFromAnotherProcess(journalOf("shared")));
    GatedWriter.failing = true;
    owner.put("k", "still journaled");

    first.close();
    assertEquals("still journaled", create(second, "shared", settings).get("k"));
  }

  private static String probeFromAnotherProcess(Path directory) throws IOException,
      InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), LockProbeMain.class.getName(), directory.toString()))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertNotNull(line, "the probe printed nothing");
      return line.split(" ")[0];
    } finally {
      child.destroyForcibly();
    }
  }

  /* ---------------- Torn tails ---------------- */

  @Test
  void tornTailNeverAbortsCacheCreation() throws IOException {
    WriteBehindConfiguration settings = writeBehind(Durability.SYNC).build();
    CacheManager first = newManager();
    Cache<String, String> before = create(first, "torn", settings);
    GatedWriter.failing = true;
    for (int i = 0; i < 5; i++) {
      before.put("k" + i, "v" + i);
    }
    crashLikeClose(first);
    Path newest = Journals.segmentFiles(journalOf("torn")).get(
        Journals.segmentFiles(journalOf("torn")).size() - 1);
    long size;
    try (FileChannel file = FileChannel.open(newest, StandardOpenOption.WRITE)) {
      size = file.size();
      file.truncate(size - 3); // the last record (k4) half-written
      file.write(ByteBuffer.wrap(new byte[] {0x13, 0x37, 0x00, 0x42, 0x7f}), size - 3); // garbage
    }

    GatedWriter.failing = true; // keep the recovered operations pending, so reads show them
    Cache<String, String> after;
    try (LogCapture log = LogCapture.of(WriteBehindBuffer.class)) {
      after = create(newManager(), "torn", settings);
      // the one start-up line says what came back, and, at WARNING, that something was cut
      assertEquals(List.of("Cache 'torn' recovered its journal: 4 operations replayed (4 pending"
          + " after coalescing), 0 dead letters (0 records); 1 damaged segment(s) (torn tails"
          + " cut), 0 unreadable record(s) skipped"),
          log.messages(java.util.logging.Level.WARNING, "Cache 'torn' recovered"));
    }
    assertEquals(1, fileJournal(after).corruptTailRecoveries());
    for (int i = 0; i < 4; i++) {
      assertEquals("v" + i, after.get("k" + i));
    }
    assertEquals(0, CountingLoader.CALLS.get());
    assertEquals("from-db", after.get("k4"), "the torn record is gone, not half-read");
    after.put("k4", "v4-again");
    assertEquals("v4-again", after.get("k4"));
  }

  @Test
  void garbageAfterTheLastRecordNeverAbortsCacheCreation() throws IOException {
    WriteBehindConfiguration settings = writeBehind(Durability.ASYNC).build();
    CacheManager first = newManager();
    Cache<String, String> before = create(first, "garbage", settings);
    GatedWriter.failing = true;
    before.put("k", "v");
    before.remove("gone");
    crashLikeClose(first);
    List<Path> segments = Journals.segmentFiles(journalOf("garbage"));
    Path newest = segments.get(segments.size() - 1);
    try (FileChannel file = FileChannel.open(newest, StandardOpenOption.APPEND)) {
      byte[] junk = new byte[4096];
      new java.util.Random(42).nextBytes(junk);
      file.write(ByteBuffer.wrap(junk));
    }
    Cache<String, String> after = create(newManager(), "garbage", settings);
    assertEquals("v", after.get("k"));
    assertNull(after.get("gone"));
    assertEquals(0, CountingLoader.CALLS.get());
    assertEquals(1, fileJournal(after).corruptTailRecoveries());
  }
}
