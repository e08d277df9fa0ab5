package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.KeyStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Caches on several nodes stay coherent through the Kafka log, on a real Kafka cluster (one
 * KRaft node in the JVM); two or three cache managers stand for the nodes. The drain's writer can
 * be held, so that a test sees what the caches answer before the database has a write.
 */
class KafkaCoherenceTest {
  private static KafkaCluster kafka;
  private final List<CacheManager> managers = new ArrayList<>();
  private String topic;

  /** Reads the recording writer's table, as a loader reads the database. */
  public static final class TableLoader implements CacheLoader<String, String> {
    @Override
    public String load(String key) {
      return RecordingWriter.TABLE.get(key);
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> all = new HashMap<>();
      keys.forEach(k -> {
        String v = load(k);
        if (v != null) {
          all.put(k, v);
        }
      });
      return all;
    }
  }

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaCluster.start(1);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @BeforeEach
  void topic() throws Exception {
    RecordingWriter.reset();
    topic = "coherence-" + UUID.randomUUID();
    kafka.createTopics(topic, 4, 1, Map.of());
  }

  @AfterEach
  void close() {
    RecordingWriter.gate.countDown();
    managers.forEach(CacheManager::close);
  }

  private Cache<String, String> node(String name, String coherence, boolean loader) {
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:coherence-" + name + "-" + UUID.randomUUID()),
        getClass().getClassLoader());
    managers.add(manager);
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
            .logSetting(KafkaSettings.TOPIC, topic)
            .logSetting(KafkaSettings.OFFSETS_REFRESH, "100ms")
            .logSetting(KafkaSettings.COHERENCE, coherence)
            .logSetting("consumer.session.timeout.ms", "6000")
            .logSetting("consumer.heartbeat.interval.ms", "500")
            .durability(Durability.SYNC)
            .maxWriteDelay(Duration.ofMillis(5))
            .drainTimeout(Duration.ofSeconds(20))
            .build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class));
    if (loader) {
      config.setReadThrough(true).setCacheLoaderFactory(FactoryBuilder.factoryOf(TableLoader.class));
    }
    return manager.createCache("orders", config);
  }

  private static void flush(Cache<String, String> cache) {
    assertTrue(JotterCache.of(cache).flush(Duration.ofSeconds(30)).completed(), "drained");
  }

  @Test
  void aWriteOnOneNodeIsReadOnAnotherBeforeTheDatabaseHasIt() {
    Cache<String, String> a = node("a", "update", false);
    Cache<String, String> b = node("b", "update", false);
    RecordingWriter.gate = new CountDownLatch(1);
    a.put("k", "1");
    Await.until("b reads a's write", () -> "1".equals(b.get("k")));
    assertNull(RecordingWriter.TABLE.get("k"), "the database does not have it yet");
    a.remove("k");
    Await.until("b sees a's delete", () -> b.get("k") == null && !b.containsKey("k"));
    RecordingWriter.gate.countDown();
    flush(a);
    assertNull(b.get("k"));
    assertNull(RecordingWriter.TABLE.get("k"));
  }

  @Test
  void aNodeThatStartsReadsTheUndrainedRecordsBeforeItsCacheIsReturned() {
    Cache<String, String> a = node("a", "update", false);
    RecordingWriter.gate = new CountDownLatch(1);
    for (int i = 0; i < 50; i++) {
      a.put("k" + i, "v" + i);
    }
    Cache<String, String> c = node("c", "update", false);
    for (int i = 0; i < 50; i++) {
      assertEquals("v" + i, c.get("k" + i), "undrained key k" + i + " on the new node");
    }
    assertTrue(RecordingWriter.TABLE.isEmpty(), "none of them drained yet");
  }

  @Test
  void invalidationDropsTheEntryAndReadsFollowTheLogThenTheDatabase() {
    Cache<String, String> b = node("b", "invalidate", true);
    Cache<String, String> a = node("a", "update", false);
    b.put("k", "old");
    flush(b);
    assertEquals("old", b.get("k"));
    RecordingWriter.gate = new CountDownLatch(1);
    a.put("k", "new");
    Await.until("b answers a's write from the log", () -> "new".equals(b.get("k")));
    assertEquals("old", RecordingWriter.TABLE.get("k"), "the database still has the old row");
    RecordingWriter.gate.countDown();
    flush(a);
    Await.until("b confirms the key once the group committed past a's record",
        () -> JotterCache.of(b).writeBehind().orElseThrow().status("k").state()
            == KeyStatus.State.CONFIRMED);
    assertEquals("new", b.get("k"), "now loaded from the database");
  }

  @Test
  void withoutCoherenceTheCachesDisagree() {
    Cache<String, String> a = node("a", "none", false);
    Cache<String, String> b = node("b", "none", false);
    b.put("k", "b's");
    flush(b);
    a.put("k", "a's");
    flush(a);
    assertEquals("a's", RecordingWriter.TABLE.get("k"));
    assertEquals("b's", b.get("k"), "b keeps its own stale value: what coherence is for");
  }

  /**
   * Several threads on three nodes write and delete the same keys at once; after the writes
   * stop, every node's cache answers every key as the database holds it.
   */
  @Test
  void allNodesConvergeToTheDatabaseUnderConcurrentWritesOfSharedKeys() throws Exception {
    List<Cache<String, String>> nodes = List.of(node("a", "update", false),
        node("b", "update", false), node("c", "invalidate", true));
    int keys = 16;
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        Cache<String, String> node = nodes.get(t % nodes.size());
        runs.add(pool.submit(() -> {
          Random random = new Random(1009L * thread);
          for (int i = 0; i < 300; i++) {
            String key = "k" + random.nextInt(keys);
            if (random.nextInt(5) == 0) {
              node.remove(key);
            } else {
              node.put(key, thread + "-" + i);
            }
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    nodes.forEach(KafkaCoherenceTest::flush);
    for (int n = 0; n < nodes.size(); n++) {
      Cache<String, String> node = nodes.get(n);
      String name = "node " + n;
      Await.until(name + " agrees with the database on every key", Await.WAIT, () -> {
        for (int k = 0; k < keys; k++) {
          String key = "k" + k;
          if (!java.util.Objects.equals(RecordingWriter.TABLE.get(key), node.get(key))) {
            return false;
          }
        }
        return true;
      }, () -> disagreement(node, keys));
    }
  }

  private static String disagreement(Cache<String, String> node, int keys) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < keys; k++) {
      String key = "k" + k;
      String db = RecordingWriter.TABLE.get(key);
      String cached = node.get(key);
      if (!java.util.Objects.equals(db, cached)) {
        out.append(key).append(": database ").append(db).append(", cache ").append(cached)
            .append("; ");
      }
    }
    return out.toString();
  }
}
