package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Broker loss with replication factor 3 (3 brokers and 1 controller in the JVM,
 * {@code min.insync.replicas=2}): the leader of a partition stops mid-stream; every mutation
 * acknowledged at {@code SYNC} reaches the writer.
 */
class BrokerLossTest {
  private KafkaCluster kafka;
  private CacheManager manager;

  @BeforeEach
  void start() throws Exception {
    RecordingWriter.reset();
    kafka = KafkaCluster.start(3);
  }

  @AfterEach
  void stop() throws Exception {
    if (manager != null) {
      manager.close();
    }
    kafka.close();
  }

  @Test
  void noAcknowledgedMutationIsLostWhenAPartitionLeaderStops() throws Exception {
    String topic = "rf3";
    kafka.createTopics(topic, 3, 3, Map.of("min.insync.replicas", "2"));
    manager = Caching.getCachingProvider().getCacheManager(URI.create("jotter:broker-loss"),
        getClass().getClassLoader());
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder().log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
            .logSetting(KafkaSettings.TOPIC, topic)
            .logSetting(KafkaSettings.MIN_REPLICATION_FACTOR, "3")
            .logSetting(KafkaSettings.MIN_INSYNC_REPLICAS, "2")
            .durability(Durability.SYNC).maxWriteDelay(Duration.ofMillis(5))
            .blockTimeout(Duration.ofSeconds(30)).drainTimeout(Duration.ofSeconds(30)).build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class));
    Cache<String, String> cache = manager.createCache("orders", config);

    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicLong acks = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread producer = new Thread(() -> {
      for (int i = 0; running.get(); i++) {
        String key = "k" + (i % 500);
        try {
          cache.put(key, Integer.toString(i));
          acknowledged.put(key, Integer.toString(i));
          acks.incrementAndGet();
        } catch (RuntimeException e) {
          failures.incrementAndGet(); // not acknowledged: no promise was made
        }
      }
    });
    producer.start();
    Await.until("a stream of acknowledged puts", Await.WAIT, () -> acks.get() > 2_000,
        () -> acks.get() + " acknowledged, " + failures.get() + " refused");
    int leader = kafka.admin().describeTopics(List.of(topic)).allTopicNames()
        .get(30, TimeUnit.SECONDS).get(topic).partitions().get(0).leader().id();
    long before = acks.get();
    kafka.kit.brokers().get(leader).shutdown();
    Await.until("puts go on after the leader stopped", () -> acks.get() > before + 2_000);
    running.set(false);
    producer.join();

    assertTrue(JotterCache.of(cache).flush(Duration.ofSeconds(60)).completed());
    acknowledged.forEach((key, value) -> {
      List<String> history = RecordingWriter.HISTORY.get(key);
      assertTrue(history != null && history.contains(value),
          key + ": acknowledged " + value + " never written");
      assertEquals(value, RecordingWriter.TABLE.get(key), key + " holds its last ack");
    });
    System.out.printf("BROKER-LOSS: leader %d stopped; %d acknowledged, %d refused%n", leader,
        acks.get(), failures.get());
  }
}
