package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The only broker stops mid-stream: at {@code SYNC} nothing is acknowledged without Kafka's
 * acknowledgement; with records waiting for Kafka the overflow policy applies; what was
 * acknowledged before the outage was written.
 */
class BrokerOutageTest {
  private KafkaCluster kafka;
  private CacheManager manager;

  @BeforeEach
  void start() throws Exception {
    RecordingWriter.reset();
    kafka = KafkaCluster.start(1);
  }

  @AfterEach
  void stop() throws Exception {
    if (manager != null) {
      manager.close();
    }
    kafka.close();
  }

  private Cache<String, String> cache(Durability durability, int maxPending, String linger)
      throws Exception {
    String topic = "outage-" + UUID.randomUUID();
    kafka.createTopics(topic, 2, 1, Map.of());
    manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:kafka-outage-" + UUID.randomUUID()), getClass().getClassLoader());
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder().log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
            .logSetting(KafkaSettings.TOPIC, topic)
            .logSetting("producer.delivery.timeout.ms",
                Integer.toString(Integer.parseInt(linger) + 3000))
            .logSetting("producer.request.timeout.ms", "1000")
            .logSetting("producer.linger.ms", linger)
            .durability(durability).maxPendingOperations(maxPending).batchSize(maxPending)
            .overflowPolicy(OverflowPolicy.FAIL).blockTimeout(Duration.ofSeconds(1))
            .maxWriteDelay(Duration.ofMillis(5)).drainTimeout(Duration.ofSeconds(1)).build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class));
    return manager.createCache("orders", config);
  }

  private void brokerStops() {
    kafka.kit.brokers().values().forEach(b -> b.shutdown());
  }

  @Test
  void atSyncAMutationIsNotAcknowledgedWithoutKafka() throws Exception {
    Cache<String, String> cache = cache(Durability.SYNC, 1_000, "0");
    for (int i = 0; i < 50; i++) {
      cache.put("before" + i, "v");
    }
    assertTrue(JotterCache.of(cache).flush(Duration.ofSeconds(30)).completed());
    assertEquals(50, RecordingWriter.TABLE.size(), "acknowledged before the outage: written");

    brokerStops();
    long start = System.nanoTime();
    CacheWriterException e = assertThrows(CacheWriterException.class,
        () -> cache.put("during", "v"));
    // refused within send() (the topic's metadata is gone) or not acknowledged in time
    assertTrue(e.getMessage().contains("Kafka did not accept the record of key during")
        || e.getMessage().contains("Kafka did not acknowledge the record of key during"),
        e.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(20)) < 0,
        "bounded by the producer's delivery timeout");
  }

  @Test
  void atAsyncARecordKafkaNeverAcknowledgesIsCountedLostNotSilentlyDropped() throws Exception {
    Cache<String, String> cache = cache(Durability.ASYNC, 100, "0");
    cache.put("k", "before");
    assertTrue(JotterCache.of(cache).flush(Duration.ofSeconds(30)).completed());

    brokerStops();
    // accepted by the producer (or refused at once if it no longer knows the topic)
    boolean accepted;
    try {
      cache.put("k", "during");
      accepted = true;
    } catch (CacheWriterException e) {
      assertTrue(e.getMessage().contains("Kafka did not accept the record of key k"),
          e.getMessage());
      assertEquals("before", cache.get("k"), "a refused mutation leaves the cache unchanged");
      accepted = false;
    }
    if (accepted) {
      Await.until("the record expires after delivery.timeout.ms and is counted lost",
          () -> JotterCache.of(cache).writeBehind().orElseThrow().statistics().lost() == 1);
      assertEquals(0, JotterCache.of(cache).writeBehind().orElseThrow().statistics()
          .pendingOperations());
    }
  }

  @Test
  void theOverflowPolicyAppliesToRecordsKafkaHasNotAcknowledged() throws Exception {
    // a long linger keeps the records in the producer, unacknowledged, as an outage would
    Cache<String, String> cache = cache(Durability.ASYNC, 5, "60000");
    for (int i = 0; i < 5; i++) {
      cache.put("waiting" + i, "v");
    }
    CacheWriterException e = assertThrows(CacheWriterException.class,
        () -> cache.put("overflow", "v"));
    assertTrue(e.getMessage().contains("5 records wait for Kafka's acknowledgement"),
        e.getMessage());
    assertEquals(null, cache.get("overflow"), "a refused mutation leaves the cache unchanged");
    assertEquals("v", cache.get("waiting0"), "pending writes answer reads");
  }
}
