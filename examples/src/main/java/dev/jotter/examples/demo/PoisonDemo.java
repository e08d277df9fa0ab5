package dev.jotter.examples.demo;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.jdbc.JdbcCacheLoader;
import dev.jotter.examples.jdbc.JdbcCacheWriterFactory;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderTable;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetterHandler;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import java.io.PrintStream;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.sql.DataSource;

/**
 * The poison-record part of the demo: one order in a batch of fifty breaks a constraint of the
 * table. The other orders are written, the bad one is retried, then kept as a dead letter,
 * listed with its cause, and resubmitted once the schema accepts it.
 */
public final class PoisonDemo {

  /** The order id whose write the table rejects. */
  public static final long POISON_ID = 13;
  private static final int ORDERS = 50;
  private static final String CACHE_NAME = "orders-poison";
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

  private PoisonDemo() {}

  /**
   * The dead-letter handler of the demo's cache: what an application would use to alert someone;
   * here it hands the letters to the demo, which waits for it, so that Jotter's own log line
   * about the letter (queued before the handler's call) is printed before the demo goes on.
   */
  public static final class Alert implements DeadLetterHandler<Long, Order>, Serializable {
    private static final long serialVersionUID = 1L;
    private static final BlockingQueue<DeadLetter<Long, Order>> HEARD =
        new LinkedBlockingQueue<>();

    /** Created by the cache's factory. */
    public Alert() {}

    /**
     * Hands the letter to the demo.
     *
     * @param letter the new dead letter
     */
    @Override
    public void deadLettered(DeadLetter<Long, Order> letter) {
      HEARD.add(letter);
    }
  }

  /**
   * What the poison run found.
   *
   * @param firstFlush      the flush after the batch, which waits for the poison to be
   *                        dead-lettered (the healthy orders may be written before it begins)
   * @param rowsBefore      rows in the table after that flush: the healthy orders
   * @param heard           the letter the dead-letter handler was given; null if none in time
   * @param letters         the dead letters listed after the first flush
   * @param tableHadPoison  whether the table held the poison order before the resubmit
   * @param cacheValue      what the cache answered for the poison order meanwhile
   * @param resubmitted     dead letters resubmitted
   * @param secondFlush     the flush after the resubmit
   * @param tableRows       rows in the table at the end
   * @param lettersLeft     dead letters at the end
   */
  public record Result(FlushResult firstFlush, long rowsBefore, DeadLetter<Long, Order> heard,
      List<DeadLetter<Long, Order>> letters,
      boolean tableHadPoison, Order cacheValue, int resubmitted, FlushResult secondFlush,
      long tableRows, int lettersLeft) {

    /**
     * Whether the poison was isolated, kept, listed and finally written.
     *
     * @return {@code true} if every step did what the demo says
     */
    public boolean ok() {
      return firstFlush.completed() && rowsBefore == ORDERS - 1 && heard != null
          && heard.key() == POISON_ID
          && letters.size() == 1 && letters.get(0).key() == POISON_ID && !tableHadPoison
          && cacheValue != null && cacheValue.amountCents() < 0 && resubmitted == 1
          && secondFlush.allWritten() && secondFlush.written() == 1 && tableRows == ORDERS
          && lettersLeft == 0;
    }
  }

  /**
   * Runs the poison batch, the dead letter and the resubmit.
   *
   * @param out where the demo's lines go
   * @return what was found
   * @throws Exception if the database or the cache cannot be set up
   */
  public static Result run(PrintStream out) throws Exception {
    JdbcSettings settings = new JdbcSettings(
        "jdbc:h2:mem:jotter-poison-demo;DB_CLOSE_DELAY=-1", "sa", "");
    DataSource dataSource = settings.toDataSource();
    OrderTable.create(dataSource);
    JotterConfiguration<Long, Order> configuration = new JotterConfiguration<Long, Order>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .batchSize(ORDERS)
            .maxWriteDelay(Duration.ofMillis(20))
            .maxAttempts(3)
            .initialBackoff(Duration.ofMillis(20))
            .maxBackoff(Duration.ofMillis(100))
            .build());
    configuration.setTypes(Long.class, Order.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(new JdbcCacheWriterFactory(settings));
    configuration.setDeadLetterHandlerFactory(FactoryBuilder.factoryOf(Alert.class));
    Alert.HEARD.clear();
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<Long, Order> cache = manager.createCache(CACHE_NAME, configuration);
    try {
      @SuppressWarnings("unchecked")
      JotterCache<Long, Order> jotter = cache.unwrap(JotterCache.class);
      DeadLetters<Long, Order> deadLetters = jotter.deadLetters().orElseThrow();
      out.printf("%nPoison record: %d orders in one batch; order %d, a refund of -5.00, breaks the"
          + " table's CHECK (amount_cents >= 0)%n", ORDERS, POISON_ID);
      Map<Long, Order> orders = new LinkedHashMap<>();
      for (long id = 1; id <= ORDERS; id++) {
        orders.put(id, new Order("customer-" + id, id == POISON_ID ? -500 : id * 100, 1));
      }
      cache.putAll(orders);
      FlushResult first = jotter.flush(FLUSH_TIMEOUT);
      DeadLetter<Long, Order> heard = Alert.HEARD.poll(FLUSH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      long rowsBefore = OrderTable.countRows(dataSource);
      out.printf("  flushed: %,d orders in the table, %,d dead letter; the healthy orders were not"
          + " held up%n", rowsBefore, deadLetters.size());
      List<DeadLetter<Long, Order>> letters = deadLetters.list();
      for (DeadLetter<Long, Order> letter : letters) {
        String cause = letter.causeMessage().orElse("").lines().findFirst().orElse("");
        out.printf("  dead letter (the handler was alerted): order %d, %d attempts, %s: %.60s%n",
            letter.key(),
            letter.attempts(), simpleName(letter.causeClass()), cause);
      }
      JdbcCacheLoader table = new JdbcCacheLoader(dataSource);
      boolean tableHadPoison = table.load(POISON_ID) != null;
      Order cached = cache.get(POISON_ID);
      out.printf("  order %d: the cache answers %s, the table has %s%n", POISON_ID,
          cached == null ? "nothing" : "amount " + cached.amountCents(),
          tableHadPoison ? "it" : "no row");
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("ALTER TABLE orders DROP CONSTRAINT orders_amount_not_negative");
      }
      out.println("  the schema is fixed to accept refunds; the dead letter is resubmitted");
      int resubmitted = deadLetters.resubmitAll();
      FlushResult second = jotter.flush(FLUSH_TIMEOUT);
      long rows = OrderTable.countRows(dataSource);
      Result result = new Result(first, rowsBefore, heard, letters, tableHadPoison, cached, resubmitted, second,
          rows, deadLetters.size());
      out.printf("  resubmitted %d, written %d; %d rows in the table, %d dead letters left%n",
          resubmitted, second.written(), rows, deadLetters.size());
      out.println(result.ok() ? "  OK: one bad record held up nothing and was not lost"
          : "  FAILED: see the lines above");
      return result;
    } finally {
      manager.destroyCache(CACHE_NAME);
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("SHUTDOWN");
      }
    }
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
