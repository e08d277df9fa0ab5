package dev.jotter.benchmarks;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.kafka.KafkaSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Acknowledged puts per second of a write-behind cache whose log is the file journal or Kafka
 * (one KRaft node in the JVM, RF 1), at {@code SYNC} and {@code ASYNC}, at 1, 4 and 16 threads,
 * in one run. The writer is the slow database of {@link WriteBenchmark}, which the caller never
 * waits for.
 *
 * <pre>
 * ./mvnw -B -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar KafkaLogBenchmark
 * </pre>
 *
 * <p>Not measured here yet: rows/s drained by 1 and 2 group members against the plain JDBC loop,
 * and the time from a node's SIGKILL until the database holds what it acknowledged (the
 * node-loss test of jotter-kafka prints the latter for each cycle).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KafkaLogBenchmark {

  /** The log and its durability. */
  @Param({"file-sync", "file-async", "kafka-sync", "kafka-async"})
  public String log;

  private KafkaClusterTestKit kafka;
  private CacheManager manager;
  private Cache<Integer, Integer> cache;
  private Path journal;
  private final AtomicInteger next = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    WriteBehindConfiguration.Builder settings = WriteBehindConfiguration.builder()
        .batchSize(100).maxWriteDelay(Duration.ofMillis(100))
        .durability(log.endsWith("-sync") ? Durability.SYNC : Durability.ASYNC);
    if (log.startsWith("kafka")) {
      kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
          .setNumBrokerNodes(1).setNumControllerNodes(1).build())
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("group.initial.rebalance.delay.ms", "0").build();
      kafka.format();
      kafka.startup();
      kafka.waitForReadyBrokers();
      try (Admin admin = kafka.admin()) {
        admin.createTopics(List.of(new NewTopic("bench", 12, (short) 1),
            new NewTopic("bench.dead-letters", 1, (short) 1))).all().get();
      }
      settings.log(KafkaSettings.LOG)
          .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
          .logSetting(KafkaSettings.TOPIC, "bench")
          .logSetting(KafkaSettings.STARTUP_TIMEOUT, "30s");
    } else {
      journal = Files.createTempDirectory("jotter-bench-journal-");
      settings.journalDirectory(journal);
    }
    JotterConfiguration<Integer, Integer> config = new JotterConfiguration<Integer, Integer>()
        .setWriteBehind(settings.build());
    config.setTypes(Integer.class, Integer.class).setStoreByValue(false).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(new SlowDatabaseWriter()));
    manager = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider").getCacheManager(
        URI.create("jotter:kafka-bench-" + UUID.randomUUID()), getClass().getClassLoader());
    cache = manager.createCache("bench", config);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    JotterCache.of(cache).flush(Duration.ofSeconds(60));
    manager.close();
    if (kafka != null) {
      kafka.close();
    }
  }

  private void put() {
    int i = next.getAndIncrement();
    cache.put(i & 0xFFFF, i);
  }

  /** One caller. */
  @Benchmark
  @Threads(1)
  public void puts1() {
    put();
  }

  /** Four callers. */
  @Benchmark
  @Threads(4)
  public void puts4() {
    put();
  }

  /** Sixteen callers. */
  @Benchmark
  @Threads(16)
  public void puts16() {
    put();
  }
}
