package dev.jotter.benchmarks;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.kafka.KafkaSettings;
import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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
 * <p>What a score is: a put returns once the log acknowledged it ({@code SYNC}: the journal's fsync,
 * or Kafka's {@code acks=all}; {@code ASYNC}: the journal's {@code write}, or the producer
 * accepting the record). It is not the rate at which the writer is reached: after every iteration
 * a line {@code # drain ...} gives the entries the writer got in that iteration and, for Kafka,
 * the records in the topic that the group has not committed yet (the backlog). The file journal
 * coalesces a key's pending operations (2^16 keys here), so its backlog is bounded by the keys;
 * the Kafka topic keeps every record, so at {@code ASYNC}, where the producer acknowledges faster
 * than one member drains, the backlog grows through the whole trial.
 *
 * <p>The trial ends without waiting for that backlog: the cache closes with a 2 s drain timeout
 * and the cluster (and its topic) is discarded. An earlier version flushed for up to 60 s first,
 * which with a backlog of millions of records made a multi-threaded trial look hung: JMH's other
 * threads wait for the trial's tear-down with a back-off that doubles from 1 s, so they woke up to
 * twice the tear-down's time later.
 *
 * <p>Rows/s drained to a database by 1 and 2 members: {@link KafkaDrainBenchmark}; the time from a
 * node's SIGKILL until the database holds what it acknowledged: {@link KafkaNodeLoss}.
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
  private Admin admin;
  private long iterationStart;
  private long writtenAtStart;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    WriteBehindConfiguration.Builder settings = WriteBehindConfiguration.builder()
        .batchSize(100).maxWriteDelay(Duration.ofMillis(100)).drainTimeout(Duration.ofSeconds(2))
        .durability(log.endsWith("-sync") ? Durability.SYNC : Durability.ASYNC);
    if (log.startsWith("kafka")) {
      kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
          .setNumBrokerNodes(1).setNumControllerNodes(1).build())
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("group.initial.rebalance.delay.ms", "0").build();
      kafka.format();
      kafka.startup();
      kafka.waitForReadyBrokers();
      admin = kafka.admin();
      admin.createTopics(List.of(new NewTopic("bench", 12, (short) 1),
          new NewTopic("bench.dead-letters", 1, (short) 1))).all().get();
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

  @Setup(Level.Iteration)
  public void startIteration() {
    iterationStart = System.nanoTime();
    writtenAtStart = statistics().written();
  }

  /** What reached the writer in this iteration, and what still waits (see the class comment). */
  @TearDown(Level.Iteration)
  public void reportDrain() throws Exception {
    double seconds = (System.nanoTime() - iterationStart) / 1e9;
    WriteBehindStatistics stats = statistics();
    String backlog = kafka == null ? stats.pendingOperations() + " keys pending"
        : kafkaBacklog() + " records in the topic not committed by the group";
    System.out.printf("%n# drain %s: %.0f entries/s reached the writer in this iteration; %s%n",
        log, (stats.written() - writtenAtStart) / seconds, backlog);
  }

  private WriteBehindStatistics statistics() {
    return WriteBehindMonitor.of(cache).orElseThrow().statistics();
  }

  private long kafkaBacklog() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("jotter.bench")
        .partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
    for (int p = 0; p < 12; p++) {
      latest.put(new TopicPartition("bench", p), OffsetSpec.latest());
    }
    long backlog = 0;
    for (var e : admin.listOffsets(latest).all().get().entrySet()) {
      OffsetAndMetadata done = committed.get(e.getKey());
      backlog += e.getValue().offset() - (done == null ? 0 : done.offset());
    }
    return backlog;
  }

  /** Closes without waiting for the backlog (see the class comment); the topic is discarded. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    manager.close();
    if (admin != null) {
      admin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (journal != null) {
      try (var files = Files.walk(journal)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
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
