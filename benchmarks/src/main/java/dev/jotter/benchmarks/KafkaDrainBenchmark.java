package dev.jotter.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.jdbc.JdbcCacheWriter;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderEntry;
import dev.jotter.examples.jdbc.OrderTable;
import dev.jotter.kafka.KafkaSettings;
import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.WriteBehindStatistics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.h2.jdbcx.JdbcDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Rows per second drained from the Kafka log into a database by one and by two members of the
 * consumer group, beside the plain JDBC loop and Jotter's in-memory write-behind buffer: the
 * workload of {@link DatabaseDrainBenchmark} (20,000 existing rows of the examples' {@code orders}
 * table upserted once each per invocation by {@link JdbcCacheWriter}, batches of 500; an
 * invocation ends when the table holds them all; after every iteration one query checks that every
 * row holds the last version), with these contenders:
 * <ul>
 *   <li>{@code jdbc-batch}: no cache, the writer's {@code writeAll} in a loop (the database's limit);
 *   <li>{@code jotter-wb}: Jotter's write-behind buffer, no log ({@code NONE}), one flusher thread,
 *       as in {@link DatabaseDrainBenchmark};
 *   <li>{@code kafka-1}: a cache on the Kafka log ({@code ASYNC}, one KRaft node in this JVM, a
 *       topic of 12 partitions, RF 1); its one member drains every partition;
 *   <li>{@code kafka-2}: two caches on two cache managers in this JVM, two members of one group
 *       (6 partitions each; the setup waits for the split); the invocation puts even keys through
 *       one and odd keys through the other.
 * </ul>
 * A Kafka record holds the key and the {@code Order} in Java serialization (the cache's journal
 * serializer with an allow-list), which the member deserializes before the writer gets it.
 * For Kafka an invocation ends when {@code flush} returns on every node: the group's committed
 * offsets are past every record the node produced, which the drain commits only after the writer
 * returned. A node reads the offsets committed by the other member every {@code offsets-refresh},
 * set to 50 ms here (default 1 s), so that the end of an invocation is seen within 50 ms.
 *
 * <p>Both members, the broker, H2 and the JMH thread share the machine's cores: on 2 cores a second
 * member adds a consumer thread, not a core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(KafkaDrainBenchmark.ROWS)
@Threads(1)
public class KafkaDrainBenchmark {

  static final int ROWS = 20_000;
  static final int BATCH_SIZE = 500;
  static final int CUSTOMERS = 1_000;
  static final Duration FLUSH_TIMEOUT = Duration.ofMinutes(2);
  static final String TOPIC = "drain";

  /** {@code h2}: a file database in a temporary directory; {@code postgres}: embedded PostgreSQL. */
  @Param({"h2"})
  public String database;

  @Param({"jdbc-batch", "jotter-wb", "kafka-1", "kafka-2"})
  public String contender;

  private Path directory;
  private EmbeddedPostgres postgres;
  private HikariDataSource pool;
  private KafkaKit kafka;
  private Long[] keys;
  private String[] customers;
  private long version;

  private JdbcCacheWriter writer;
  private final List<Cache.Entry<? extends Long, ? extends Order>> chunk =
      new ArrayList<>(BATCH_SIZE);
  private final List<CacheManager> managers = new ArrayList<>();
  private final List<Cache<Long, Order>> caches = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    directory = Files.createTempDirectory("jotter-kafka-drain-" + database + "-");
    pool = pool(start());
    OrderTable.create(pool);
    keys = new Long[ROWS];
    customers = new String[CUSTOMERS];
    for (int i = 0; i < ROWS; i++) {
      keys[i] = (long) i;
    }
    for (int i = 0; i < CUSTOMERS; i++) {
      customers[i] = "customer-" + i;
    }
    JdbcCacheWriter seeder = new JdbcCacheWriter(pool);
    for (int i = 0; i < ROWS; i += BATCH_SIZE) {
      List<Cache.Entry<? extends Long, ? extends Order>> seed = new ArrayList<>(BATCH_SIZE);
      for (int k = i; k < Math.min(ROWS, i + BATCH_SIZE); k++) {
        seed.add(new OrderEntry(keys[k], order(k, 0)));
      }
      seeder.writeAll(seed);
    }
    if (OrderTable.countRows(pool) != ROWS) {
      throw new IllegalStateException("seeding left " + OrderTable.countRows(pool) + " rows");
    }
    DatabaseDrainBenchmark.PooledWriterFactory.dataSource = pool;
    CachingProvider provider = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider");
    switch (contender) {
      case "jdbc-batch":
        writer = new JdbcCacheWriter(pool);
        break;
      case "jotter-wb":
        node(provider, WriteBehindConfiguration.builder().durability(Durability.NONE));
        break;
      case "kafka-1":
      case "kafka-2":
        kafka = KafkaKit.start();
        kafka.createTopics(TOPIC, 12);
        int members = contender.equals("kafka-1") ? 1 : 2;
        for (int m = 0; m < members; m++) {
          node(provider, WriteBehindConfiguration.builder().durability(Durability.ASYNC)
              .log(KafkaSettings.LOG)
              .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
              .logSetting(KafkaSettings.TOPIC, TOPIC)
              .logSetting(KafkaSettings.STARTUP_TIMEOUT, "30s")
              .logSetting(KafkaSettings.OFFSETS_REFRESH, "50ms"));
        }
        awaitMembers(members);
        break;
      default:
        throw new IllegalArgumentException("unknown contender " + contender);
    }
    System.out.println("# " + contender + " " + database + ": " + caches.size() + " cache(s)");
  }

  private void node(CachingProvider provider, WriteBehindConfiguration.Builder settings) {
    CacheManager manager = provider.getCacheManager(
        URI.create("jotter:kafka-drain-" + UUID.randomUUID()), getClass().getClassLoader());
    managers.add(manager);
    JotterConfiguration<Long, Order> config = new JotterConfiguration<Long, Order>()
        .setWriteBehind(settings.batchSize(BATCH_SIZE).maxWriteDelay(Duration.ofMillis(100))
            .flusherThreads(1).maxPendingOperations(ROWS).drainTimeout(Duration.ofSeconds(2))
            .build());
    config.setTypes(Long.class, Order.class).setStoreByValue(false).setStatisticsEnabled(false)
        .setManagementEnabled(false).setWriteThrough(true)
        // the Kafka log's records carry the key and the Order with Java serialization
        .setJournalAllowList("dev.jotter.examples.jdbc.*;java.lang.*")
        .setCacheWriterFactory(new DatabaseDrainBenchmark.PooledWriterFactory());
    caches.add(manager.createCache("drain", config));
  }

  /** Waits until the group has {@code members} members, each assigned some partitions. */
  private void awaitMembers(int members) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      ConsumerGroupDescription group = kafka.admin.describeConsumerGroups(List.of("jotter.drain"))
          .all().get().get("jotter.drain");
      long assigned = group.members().stream()
          .map(MemberDescription::assignment)
          .filter(a -> !a.topicPartitions().isEmpty()).count();
      if (group.members().size() == members && assigned == members) {
        System.out.println("# group jotter.drain: " + group.members().stream()
            .map(m -> m.assignment().topicPartitions().size() + " partitions").toList());
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the group did not split in 60 s: " + group);
      }
      Thread.sleep(100);
    }
  }

  private DataSource start() throws IOException {
    switch (database) {
      case "h2":
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + directory.resolve("orders").toAbsolutePath());
        h2.setUser("sa");
        h2.setPassword("");
        return h2;
      case "postgres":
        postgres = EmbeddedPostgres.builder().setDataDirectory(directory.resolve("pgdata"))
            .setCleanDataDirectory(true).setServerConfig("synchronous_commit", "on").start();
        return postgres.getPostgresDatabase();
      default:
        throw new IllegalArgumentException("unknown database " + database);
    }
  }

  /** A writer connection per member, one for setup and checks. */
  private HikariDataSource pool(DataSource unpooled) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(unpooled);
    config.setPoolName("kafka-drain-" + database);
    config.setMaximumPoolSize(3);
    config.setMinimumIdle(3);
    return new HikariDataSource(config);
  }

  private Order order(int index, long version) {
    return new Order(customers[index % CUSTOMERS], version * 100 + index % 100, version);
  }

  /** Writes every row once with a new version; returns when the table holds them all. */
  @Benchmark
  public void drain() {
    long next = ++version;
    if (caches.isEmpty()) {
      for (int i = 0; i < ROWS; i++) {
        chunk.add(new OrderEntry(keys[i], order(i, next)));
        if (chunk.size() == BATCH_SIZE || i == ROWS - 1) {
          writer.writeAll(chunk);
        }
      }
      return;
    }
    int nodes = caches.size();
    for (int i = 0; i < ROWS; i++) {
      caches.get(i % nodes).put(keys[i], order(i, next));
    }
    for (Cache<Long, Order> cache : caches) {
      FlushResult result = cache.unwrap(JotterCache.class).flush(FLUSH_TIMEOUT);
      if (!result.completed()) {
        throw new IllegalStateException("not drained within " + FLUSH_TIMEOUT + ": " + result);
      }
    }
  }

  @TearDown(Level.Iteration)
  public void verify() throws SQLException {
    if (version == 0) {
      return;
    }
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(
            "SELECT COUNT(*), MIN(version), MAX(version) FROM orders")) {
      row.next();
      if (row.getLong(1) != ROWS || row.getLong(2) != version || row.getLong(3) != version) {
        throw new IllegalStateException("the table has " + row.getLong(1) + " rows of versions "
            + row.getLong(2) + ".." + row.getLong(3) + "; expected " + ROWS + " of " + version);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      for (Cache<Long, Order> cache : caches) {
        WriteBehindStatistics s = WriteBehindMonitor.of(cache).orElseThrow().statistics();
        System.out.printf("# %s %s member: %d rows written in %d writer calls (%.1f per call),"
                + " %d coalesced, %d failed, %d dead-lettered%n", contender, database, s.written(),
            s.writerCalls(), (double) s.written() / Math.max(1, s.writerCalls()), s.coalesced(),
            s.failed(), s.deadLettered());
      }
      for (CacheManager manager : managers) {
        manager.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      DatabaseDrainBenchmark.PooledWriterFactory.dataSource = null;
    } finally {
      pool.close();
      if (postgres != null) {
        postgres.close();
      }
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
