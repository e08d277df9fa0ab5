package dev.jotter.durability;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderTable;
import dev.jotter.journal.FileJournal;
import dev.jotter.journal.JournalCodec;
import dev.jotter.journal.JournalSerializer;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

/**
 * The process that the crash test kills. {@code run}: mutates a SYNC or ASYNC write-behind cache
 * from several threads until it is killed, announcing every mutation before the call ("I") and
 * after it returned ("A", with a {@code System.nanoTime()} stamp). {@code recover}: opens the
 * same cache (which replays the journal), flushes it into the database, closes, and exits.
 *
 * <p>Args: {@code run|recover journalRoot database durability syncIntervalMillis threads keys
 * hotKeysPerThread cycle seed}.
 *
 * <p>Each key belongs to one thread ({@code key % threads}), so its mutations have one order,
 * the program order of that thread, and at most one of them is in flight when the kill comes.
 */
public final class CrashChild {
  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);
  /** Reads a journal without deserializing its values. */
  private static final JournalSerializer<Long, byte[]> BYTES =
      JournalSerializer.of(JournalCodec.longs(), JournalCodec.byteArrays());

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path journalRoot = Path.of(args[1]);
    Path database = Path.of(args[2]);
    Durability durability = Durability.valueOf(args[3]);
    Duration syncInterval = Duration.ofMillis(Long.parseLong(args[4]));
    int threads = Integer.parseInt(args[5]);
    int keys = Integer.parseInt(args[6]);
    int hotPerThread = Integer.parseInt(args[7]);
    long cycle = Long.parseLong(args[8]);
    long seed = Long.parseLong(args[9]);

    String url = CrashSetup.childUrl(database);
    String prescan = "";
    if (mode.equals("recover")) {
      // what the killed child left: unfinished records, and those the per-key rule finishes
      // (late or lost DONE marks, WriteBehindBuffer's markDone after its lock); opening applies
      // that rule on disk exactly as the cache's own opening would
      try (FileJournal<Long, byte[]> journal = FileJournal.open(journalDirectory(journalRoot),
          Durability.SYNC, Duration.ofMillis(10), BYTES)) {
        prescan = " startPending=" + journal.pendingCount() + " startImplicit="
            + journal.implicitlyFinishedAtStart() + " startTornTails="
            + journal.corruptTailRecoveries();
      }
    }
    OrderTable.create(new JdbcSettings(url, "sa", "").toDataSource());
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:crash-child"), CrashChild.class.getClassLoader());
    Cache<Long, Order> cache = manager.createCache(CrashSetup.CACHE,
        CrashSetup.configuration(journalRoot, durability, syncInterval, url));
    line(CrashSetup.READY + " " + System.nanoTime());

    if (mode.equals("recover")) {
      recover(cache, manager, journalRoot, url, prescan);
      return;
    }
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Random random = new Random(seed * 1_000_003L + t);
      Thread worker = new Thread(() -> mutate(cache, random, thread, threads, keys, hotPerThread,
          cycle), "mutator-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join(); // until SIGKILL
    }
  }

  private static void mutate(Cache<Long, Order> cache, Random random, int thread, int threads,
      int keys, int hotPerThread, long cycle) {
    List<Long> hot = new ArrayList<>();
    List<Long> cold = new ArrayList<>();
    for (long key = thread; key < keys; key += threads) {
      (hot.size() < hotPerThread ? hot : cold).add(key);
    }
    long[] sequence = new long[keys];
    long base = cycle * 1_000_000_000L; // versions grow across cycles, so every state is unique
    while (true) {
      List<Long> pool = (random.nextInt(10) < 6 || cold.isEmpty()) ? hot : cold;
      long key = pool.get(random.nextInt(pool.size()));
      long version = base + (++sequence[(int) key]);
      boolean remove = random.nextInt(5) == 0;
      String op = key + (remove ? " R " : " P ") + version;
      line(CrashSetup.ISSUING + " " + op);
      if (remove) {
        cache.remove(key);
      } else {
        cache.put(key, new Order("customer-" + key, version % 1_000_000, version));
      }
      line(CrashSetup.ACKNOWLEDGED + " " + op + " " + System.nanoTime());
    }
  }

  private static void recover(Cache<Long, Order> cache, CacheManager manager, Path journalRoot,
      String url, String prescan) throws Exception {
    JotterCache<?, ?> jotter = cache.unwrap(JotterCache.class);
    boolean flushed = jotter.flush(Duration.ofSeconds(120)).completed();
    long pendingInCache = jotter.writeBehindStatistics().orElseThrow().pendingOperations();
    manager.close();
    Caching.getCachingProvider().close();
    // the journal itself must now hold nothing unfinished
    long pendingInJournal;
    try (FileJournal<Long, byte[]> journal = FileJournal.open(journalDirectory(journalRoot),
        Durability.SYNC, Duration.ofMillis(10), BYTES)) {
      pendingInJournal = journal.pendingCount();
    }
    try (Connection connection = new JdbcSettings(url, "sa", "").toDataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN"); // the parent opens the file next
    }
    line(CrashSetup.RECOVERED + " flushed=" + flushed + " written="
        + CrashSetup.CountingWriterFactory.CONFIRMED.get() + " cachePending=" + pendingInCache
        + " journalPending=" + pendingInJournal + prescan);
    System.exit(0);
  }

  private static Path journalDirectory(Path journalRoot) {
    return journalRoot.resolve("cache-" + URLEncoder.encode(CrashSetup.CACHE, StandardCharsets.UTF_8));
  }

  /** One write per line, unbuffered: what was printed survives a SIGKILL in the pipe. */
  private static void line(String text) {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (OUT) {
      try {
        OUT.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
