package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad set-ups fail {@code createCache} with a {@link CacheException} that names what is wrong:
 * unreachable servers (within the start-up timeout), a missing topic, a replication factor or
 * {@code min.insync.replicas} below the configured minimum, an unknown setting. And a cache
 * declared in a configuration file with {@code write-behind.log = kafka} writes through Kafka.
 */
class KafkaStartupTest {
  private static KafkaCluster kafka;
  private CacheManager manager;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaCluster.start(1);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @AfterEach
  void close() {
    if (manager != null) {
      manager.close();
    }
    RecordingWriter.reset();
  }

  private CacheException createFails(WriteBehindConfiguration settings) {
    manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:kafka-startup-" + UUID.randomUUID()), getClass().getClassLoader());
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings);
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class));
    return assertThrows(CacheException.class, () -> manager.createCache("orders", config));
  }

  private static WriteBehindConfiguration.Builder kafka(String servers, String topic) {
    return WriteBehindConfiguration.builder().log(KafkaSettings.LOG)
        .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, servers)
        .logSetting(KafkaSettings.TOPIC, topic)
        .logSetting(KafkaSettings.STARTUP_TIMEOUT, "2s");
  }

  private static String message(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" / ");
    }
    return all.toString();
  }

  @Test
  void unreachableBootstrapServersFailWithinTheStartupTimeout() {
    long start = System.nanoTime();
    CacheException e = createFails(kafka("127.0.0.1:1", "orders").build());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(message(e).contains("Kafka bootstrap servers 127.0.0.1:1 did not answer within"),
        message(e));
    assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "bounded: " + took);
  }

  @Test
  void aMissingTopicFailsByNameWhenCreationIsOff() {
    CacheException e = createFails(kafka(kafka.bootstrapServers(), "no-such-topic").build());
    assertTrue(message(e).contains("Kafka topic 'no-such-topic' does not exist"), message(e));
  }

  @Test
  void aReplicationFactorBelowTheMinimumFails() throws Exception {
    kafka.createTopics("rf1", 2, 1, Map.of());
    CacheException e = createFails(kafka(kafka.bootstrapServers(), "rf1")
        .logSetting(KafkaSettings.MIN_REPLICATION_FACTOR, "3").build());
    assertTrue(message(e).contains("Kafka topic 'rf1' has replication factor 1, below the "
        + "configured minimum 3"), message(e));
  }

  @Test
  void minInsyncReplicasBelowTheMinimumFails() throws Exception {
    kafka.createTopics("isr1", 2, 1, Map.of("min.insync.replicas", "1"));
    CacheException e = createFails(kafka(kafka.bootstrapServers(), "isr1")
        .logSetting(KafkaSettings.MIN_INSYNC_REPLICAS, "2").build());
    assertTrue(message(e).contains("Kafka topic 'isr1' has min.insync.replicas 1, below the "
        + "configured minimum 2"), message(e));
  }

  @Test
  void unknownAndReservedSettingsFailByName() {
    assertTrue(message(createFails(kafka(kafka.bootstrapServers(), "t")
        .logSetting("topc", "x").build())).contains("unknown Kafka log setting 'topc'"));
    assertTrue(message(createFails(kafka(kafka.bootstrapServers(), "t")
        .logSetting("producer.acks", "1").build()))
        .contains("Kafka log setting 'producer.acks' cannot be changed"));
    assertTrue(message(createFails(WriteBehindConfiguration.builder().log(KafkaSettings.LOG)
        .build())).contains("the Kafka log needs 'bootstrap.servers'"));
  }

  @Test
  void writeThroughOverflowIsRefused() {
    assertTrue(message(createFails(kafka(kafka.bootstrapServers(), "t")
        .overflowPolicy(OverflowPolicy.WRITE_THROUGH).build()))
        .contains("overflowPolicy WRITE_THROUGH cannot be used with the Kafka log"));
  }

  @Test
  void aCacheDeclaredInAFileWritesThroughKafkaAndCreatesItsTopics(@TempDir Path dir)
      throws Exception {
    String topic = "declared-" + UUID.randomUUID();
    Path file = dir.resolve("jotter.properties");
    Files.writeString(file, "caches = orders\n"
        + "cache.orders.key-type = java.lang.String\n"
        + "cache.orders.value-type = java.lang.String\n"
        + "cache.orders.writer-factory = " + RecordingWriterFactory.class.getName() + "\n"
        + "cache.orders.write-behind.log = kafka\n"
        + "cache.orders.write-behind.max-write-delay = 5ms\n"
        + "cache.orders.write-behind.kafka.bootstrap.servers = " + kafka.bootstrapServers() + "\n"
        + "cache.orders.write-behind.kafka.topic = " + topic + "\n"
        + "cache.orders.write-behind.kafka.create-topics = true\n"
        + "cache.orders.write-behind.kafka.partitions = 3\n"
        + "cache.orders.write-behind.kafka.replication-factor = 1\n"
        + "cache.orders.write-behind.kafka.producer.linger.ms = 1\n");
    manager = Caching.getCachingProvider().getCacheManager(file.toUri(),
        getClass().getClassLoader());
    Cache<String, String> cache = manager.getCache("orders", String.class, String.class);
    cache.put("k", "v");
    assertTrue(JotterCache.of(cache).flush(Duration.ofSeconds(30)).completed());
    assertEquals("v", RecordingWriter.TABLE.get("k"));
    assertEquals(3, kafka.admin().describeTopics(java.util.List.of(topic)).allTopicNames().get()
        .get(topic).partitions().size(), "created with the configured partitions");
  }
}
