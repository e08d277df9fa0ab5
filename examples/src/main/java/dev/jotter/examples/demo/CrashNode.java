package dev.jotter.examples.demo;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.jdbc.JdbcCacheWriterFactory;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

/**
 * The application node of the crash demo, run as a child JVM by {@link CrashDemo}: a durable
 * write-behind cache of orders whose writer is the JDBC writer on the parent's H2 database.
 *
 * <p>{@code put} mode writes orders without end and prints one {@code ack <id> <version> .} line
 * per {@code put} that returned, until the parent kills it; with {@code SYNC} durability a
 * returned {@code put} is in the journal on disk. {@code recover} mode opens the same cache,
 * whose journal replays what the killed node had not written yet, flushes, prints
 * {@code recovered <rows written>} and closes.
 */
final class CrashNode {

  static final String CACHE_NAME = "orders-crash";
  static final int ORDER_IDS = 200;
  private static final String COUNTERS = "crash-node";

  private CrashNode() {}

  /**
   * Runs one node.
   *
   * @param args {@code put|recover}, the JDBC URL, the journal directory
   * @throws Exception if the node cannot start; the parent prints its standard error
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !(args[0].equals("put") || args[0].equals("recover"))) {
      throw new IllegalArgumentException(
          "usage: CrashNode put|recover <jdbc url> <journal directory>");
    }
    // an unbuffered, line-at-a-time stream: an ack the parent reads was printed after its put
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    JdbcSettings database = new JdbcSettings(args[1], "sa", "");
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<Long, Order> cache = manager.createCache(CACHE_NAME,
        configuration(database, Path.of(args[2])));
    if (args[0].equals("put")) {
      for (long version = 1; ; version++) {
        long id = version % ORDER_IDS + 1;
        cache.put(id, new Order("customer-" + id, version * 10, version));
        out.println("ack " + id + " " + version + " .");
      }
    }
    @SuppressWarnings("unchecked")
    JotterCache<Long, Order> jotter = cache.unwrap(JotterCache.class);
    boolean flushed = jotter.flush(Duration.ofSeconds(30)).allWritten();
    out.println("recovered " + CountingCacheWriter.counters(COUNTERS).snapshot().entriesWritten()
        + (flushed ? "" : " NOT FLUSHED"));
    manager.close();
  }

  /**
   * Write-behind with {@code SYNC} durability: a {@code put} returns once its operation is forced
   * to the journal; batches leave after at most 300 ms, so a kill finds writes pending.
   */
  private static JotterConfiguration<Long, Order> configuration(JdbcSettings database,
      Path journal) {
    JotterConfiguration<Long, Order> configuration = new JotterConfiguration<Long, Order>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .durability(Durability.SYNC)
            .journalDirectory(journal)
            .batchSize(50)
            .maxWriteDelay(Duration.ofMillis(300))
            .build());
    // the journal reads back only the classes it is allowed to: the orders
    configuration.setJournalAllowList(Order.class.getName() + ";java.base/*;!*");
    configuration.setTypes(Long.class, Order.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(
            CountingCacheWriter.factory(COUNTERS, new JdbcCacheWriterFactory(database)));
    return configuration;
  }
}
