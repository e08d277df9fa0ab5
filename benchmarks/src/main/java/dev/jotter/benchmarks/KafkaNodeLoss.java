package dev.jotter.benchmarks;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.kafka.KafkaSettings;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.h2.tools.Server;

/**
 * Seconds from an application node's SIGKILL until the database holds everything that node
 * acknowledged, with the Kafka log at {@code SYNC}. Not a JMH benchmark (one event per cycle, no
 * steady state): a harness in the benchmark jar, run as
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.jotter.benchmarks.KafkaNodeLoss [cycles] [json]
 * </pre>
 *
 * <p>This JVM runs one KRaft node (the test kit; RF 1: the machine lost is an application node,
 * not a broker), an H2 database served over TCP, and the survivor: a cache on the Kafka log whose
 * member drains into H2 and writes nothing itself. Each cycle starts a child JVM, the victim: a
 * {@code SYNC} cache of the same topic and group with the same writer, putting increasing values
 * into its own 200 keys on one thread and printing each acknowledged put. Once both members hold
 * partitions and the victim has acknowledged at least 1,000 puts and run for 3 s, the victim gets
 * SIGKILL ({@code Process.destroyForcibly}). The time measured runs from the kill until a query
 * finds every key the victim acknowledged at its last acknowledged value or later (polled every
 * 20 ms; the kill waits for a moment when some acknowledged put is not in the database yet,
 * which is nearly always). The writer is H2 {@code MERGE} in one JDBC batch, after a pause of
 * {@code -Dnodeloss.writeDelayMs} (default 20 ms) a call, standing for a database's round trips,
 * so that the victim is caught with a batch in progress. Both members have {@code session.timeout.ms} 6000 and {@code heartbeat.interval.ms}
 * 500 (classic group protocol): the group notices the death after at most the session timeout,
 * then the survivor drains the victim's partitions from their last committed offsets.
 */
public final class KafkaNodeLoss {

  static final String TOPIC = "nodeloss";
  static final int KEYS = 200;
  /** What a writer call costs before its statements, in ms (a database's round trips). */
  static final long WRITE_DELAY_MS = Long.getLong("nodeloss.writeDelayMs", 20);

  private KafkaNodeLoss() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      child(args[1], args[2], args[3]);
      return;
    }
    int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path json = Path.of(args.length > 1 ? args[1] : "benchmarks/target/results/kafka-nodeloss.json");
    Path dir = Files.createTempDirectory("jotter-nodeloss-");
    Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir",
        dir.toString()).start();
    String jdbcUrl = "jdbc:h2:tcp://localhost:" + h2.getPort() + "/./kv";
    try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kv (k VARCHAR(64) PRIMARY KEY, v BIGINT NOT NULL)");
    }
    List<String> rows = new ArrayList<>();
    try (KafkaKit kafka = KafkaKit.start()) {
      kafka.createTopics(TOPIC, 12);
      CacheManager manager = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider")
          .getCacheManager(URI.create("jotter:nodeloss-survivor"), KafkaNodeLoss.class.getClassLoader());
      manager.createCache("orders", configuration(kafka.bootstrapServers(), jdbcUrl));
      System.out.println("# survivor up; H2 " + jdbcUrl + ", Kafka " + kafka.bootstrapServers());
      for (int cycle = 1; cycle <= cycles; cycle++) {
        rows.add(cycle(cycle, kafka, jdbcUrl, dir));
      }
      manager.close();
    } finally {
      h2.stop();
    }
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, "{\n  \"harness\": \"dev.jotter.benchmarks.KafkaNodeLoss\",\n"
        + "  \"date\": \"" + Instant.now() + "\",\n  \"cpus\": "
        + Runtime.getRuntime().availableProcessors() + ",\n  \"jdk\": \""
        + System.getProperty("java.vm.version") + "\",\n"
        + "  \"settings\": {\"durability\": \"SYNC\", \"partitions\": 12, \"replicationFactor\": 1,"
        + " \"sessionTimeoutMs\": 6000, \"heartbeatIntervalMs\": 500, \"keysPerVictim\": " + KEYS
        + ", \"writeDelayMs\": " + WRITE_DELAY_MS + "},\n  \"cycles\": [\n    " + String.join(",\n    ", rows) + "\n  ]\n}\n");
    System.out.println("# wrote " + json);
    System.exit(0);
  }

  private static JotterConfiguration<String, Long> configuration(String servers, String jdbcUrl) {
    JotterConfiguration<String, Long> config = new JotterConfiguration<String, Long>()
        .setWriteBehind(WriteBehindConfiguration.builder().log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, servers)
            .logSetting(KafkaSettings.TOPIC, TOPIC)
            .logSetting(KafkaSettings.STARTUP_TIMEOUT, "30s")
            .logSetting("consumer.session.timeout.ms", "6000")
            .logSetting("consumer.heartbeat.interval.ms", "500")
            .durability(Durability.SYNC)
            .batchSize(100)
            .maxWriteDelay(Duration.ofMillis(5))
            .drainTimeout(Duration.ofSeconds(5))
            .build());
    config.setTypes(String.class, Long.class).setWriteThrough(true)
        .setCacheWriterFactory(new KvWriterFactory(jdbcUrl));
    return config;
  }

  private static String cycle(int cycle, KafkaKit kafka, String jdbcUrl, Path dir)
      throws Exception {
    String node = "v" + cycle;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process victim = new ProcessBuilder(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), KafkaNodeLoss.class.getName(), "child",
        kafka.bootstrapServers(), jdbcUrl, node)
        .redirectError(dir.resolve(node + ".err").toFile()).start();
    Map<String, Long> acked = new ConcurrentHashMap<>();
    AtomicLong acks = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          victim.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.equals("READY")) {
            ready.countDown();
          } else if (line.startsWith("A ")) {
            String[] f = line.split(" ");
            acked.merge(f[1], Long.parseLong(f[2]), Math::max);
            acks.incrementAndGet();
          }
        }
      } catch (Exception e) {
        // the pipe breaks when the victim dies: what was read is what it acknowledged
      }
    });
    reader.start();
    if (!ready.await(60, TimeUnit.SECONDS)) {
      victim.destroyForcibly();
      throw new IllegalStateException("victim " + node + " not ready in 60 s; see " + dir);
    }
    long started = System.nanoTime();
    awaitTwoMembers(kafka);
    try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "")) {
      // kill while some acknowledged put is not in the database yet (nearly always)
      while (acks.get() < 1_000 || System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3)
          || missing(c, node, new HashMap<>(acked)) == 0) {
        if (!victim.isAlive()) {
          throw new IllegalStateException("victim " + node + " died; see " + dir);
        }
        Thread.sleep(10);
      }
      victim.toHandle().destroyForcibly();
      long killed = System.nanoTime();
      victim.waitFor();
      reader.join();
      Map<String, Long> expected = new HashMap<>(acked);
      int missingAtKill = -1;
      double seconds;
      while (true) {
        int missing = missing(c, node, expected);
        if (missingAtKill < 0) {
          missingAtKill = missing;
        }
        if (missing == 0) {
          seconds = (System.nanoTime() - killed) / 1e9;
          break;
        }
        if (System.nanoTime() - killed > TimeUnit.SECONDS.toNanos(120)) {
          throw new IllegalStateException(missing + " keys of " + node + " still missing 120 s"
              + " after the kill");
        }
        Thread.sleep(20);
      }
      System.out.printf(Locale.ROOT, "NODE-LOSS cycle %d: victim acknowledged %d puts on %d keys;"
            + " %d keys behind in the database at the kill; all in the database %.3f s after"
            + " SIGKILL%n", cycle, acks.get(), expected.size(), missingAtKill, seconds);
      return String.format(Locale.ROOT, "{\"cycle\": %d, \"victimAcknowledged\": %d,"
              + " \"keys\": %d, \"keysBehindAtKill\": %d, \"secondsToDatabase\": %.3f}", cycle,
          acks.get(), expected.size(), missingAtKill, seconds);
    }
  }

  /** Keys of {@code node} whose row is absent or older than their last acknowledged value. */
  private static int missing(Connection c, String node, Map<String, Long> expected)
      throws SQLException {
    Map<String, Long> found = new HashMap<>();
    try (PreparedStatement q = c.prepareStatement("SELECT k, v FROM kv WHERE k LIKE ?")) {
      q.setString(1, node + "-%");
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          found.put(r.getString(1), r.getLong(2));
        }
      }
    }
    int missing = 0;
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      Long v = found.get(e.getKey());
      if (v == null || v < e.getValue()) {
        missing++;
      }
    }
    return missing;
  }

  private static void awaitTwoMembers(KafkaKit kafka) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String group = "jotter.orders";
    while (true) {
      ConsumerGroupDescription d = kafka.admin.describeConsumerGroups(List.of(group)).all().get()
          .get(group);
      if (d.members().size() == 2 && d.members().stream()
          .allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the group did not split in 60 s: " + d);
      }
      Thread.sleep(50);
    }
  }

  /** The victim: puts into its own keys until killed, printing each acknowledged put. */
  private static void child(String servers, String jdbcUrl, String node) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true, StandardCharsets.UTF_8);
    CacheManager manager = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider")
        .getCacheManager(URI.create("jotter:nodeloss-" + node), KafkaNodeLoss.class.getClassLoader());
    Cache<String, Long> cache = manager.createCache("orders", configuration(servers, jdbcUrl));
    out.println("READY");
    for (long i = 1; ; i++) {
      String key = node + "-" + (i % KEYS);
      cache.put(key, i);
      out.println("A " + key + " " + i);
    }
  }

  /** Upserts into {@code kv} over one connection (one drain thread calls it). */
  static final class KvWriter implements CacheWriter<String, Long> {
    private final String url;
    private Connection connection;

    KvWriter(String url) {
      this.url = url;
    }

    private synchronized Connection connection() throws SQLException {
      if (connection == null || connection.isClosed()) {
        connection = DriverManager.getConnection(url, "sa", "");
      }
      return connection;
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends Long> entry) {
      writeAll(new ArrayList<>(List.of(entry)));
    }

    @Override
    public synchronized void writeAll(
        Collection<Cache.Entry<? extends String, ? extends Long>> entries) {
      try (PreparedStatement p = connection().prepareStatement(
          "MERGE INTO kv (k, v) KEY (k) VALUES (?, ?)")) {
        java.util.concurrent.locks.LockSupport.parkNanos(WRITE_DELAY_MS * 1_000_000L);
        for (Cache.Entry<? extends String, ? extends Long> e : entries) {
          p.setString(1, e.getKey());
          p.setLong(2, e.getValue());
          p.addBatch();
        }
        p.executeBatch();
        entries.clear();
      } catch (SQLException e) {
        throw new CacheWriterException(e);
      }
    }

    @Override
    public void delete(Object key) {
      deleteAll(new ArrayList<>(List.of(key)));
    }

    @Override
    public synchronized void deleteAll(Collection<?> keys) {
      try (PreparedStatement p = connection().prepareStatement("DELETE FROM kv WHERE k = ?")) {
        for (Object k : keys) {
          p.setString(1, (String) k);
          p.addBatch();
        }
        p.executeBatch();
        keys.clear();
      } catch (SQLException e) {
        throw new CacheWriterException(e);
      }
    }
  }

  /** A serializable factory of {@link KvWriter}. */
  static final class KvWriterFactory implements Factory<CacheWriter<String, Long>>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String url;

    KvWriterFactory(String url) {
      this.url = url;
    }

    @Override
    public CacheWriter<String, Long> create() {
      return new KvWriter(url);
    }
  }
}
