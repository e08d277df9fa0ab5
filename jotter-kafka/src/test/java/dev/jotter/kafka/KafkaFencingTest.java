package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writer.Fenced;
import dev.jotter.writer.FencedCacheWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real zombie on a real Kafka cluster: node a's drain is stuck in its writer past
 * {@code max.poll.interval.ms}, the group hands the partition to node b, b writes a newer value
 * of the key, then a's writer call goes on with its old batch. With a {@link FencedCacheWriter}
 * the table never goes back in time; with a plain writer it does (the window the fence closes).
 *
 * <p>The table here is a map with the "upsert where the stored token is older" rule: the subject
 * is that the drain hands every operation its token; the examples' JDBC writer keeps the same rule
 * in H2 and PostgreSQL and is tested there.
 */
class KafkaFencingTest {
  private static KafkaCluster kafka;
  private final List<CacheManager> managers = new ArrayList<>();
  private String topic;

  static final Map<String, String> TABLE = new ConcurrentHashMap<>();
  static final Map<String, Long> TOKENS = new ConcurrentHashMap<>();
  /** The next writer call (the zombie's) waits in the writer until the gate opens. */
  static final AtomicBoolean holdNext = new AtomicBoolean();
  static volatile CountDownLatch gate = new CountDownLatch(0);
  static volatile CountDownLatch entered = new CountDownLatch(1);
  static volatile CountDownLatch finished = new CountDownLatch(1);

  private static void maybeHold(Runnable call) {
    if (!holdNext.compareAndSet(true, false)) {
      call.run();
      return;
    }
    entered.countDown();
    try {
      gate.await(2, TimeUnit.MINUTES);
      call.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      finished.countDown();
    }
  }

  /** Stores an operation only where the key's stored token is older. */
  public static final class FencedWriter extends PlainWriter
      implements FencedCacheWriter<String, String> {
    @Override
    public void applyAll(Collection<Fenced<String, String>> operations) {
      maybeHold(() -> {
        synchronized (TABLE) {
          for (Iterator<Fenced<String, String>> it = operations.iterator(); it.hasNext(); ) {
            Fenced<String, String> op = it.next();
            Long stored = TOKENS.get(op.key());
            if (stored == null || stored < op.token()) {
              TOKENS.put(op.key(), op.token());
              if (op.isDelete()) {
                TABLE.remove(op.key());
              } else {
                TABLE.put(op.key(), op.value());
              }
            }
            it.remove(); // applied, or stale: done either way
          }
        }
      });
    }
  }

  /** Stores whatever arrives, last call wins. */
  public static class PlainWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      writeAll(new ArrayList<>(List.of(entry)));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      maybeHold(() -> {
        entries.forEach(e -> TABLE.put(e.getKey(), e.getValue()));
        entries.clear();
      });
    }

    @Override
    public void delete(Object key) {
      deleteAll(new ArrayList<>(List.of(key)));
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      maybeHold(() -> {
        keys.forEach(TABLE::remove);
        keys.clear();
      });
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
    TABLE.clear();
    TOKENS.clear();
    holdNext.set(false);
    gate = new CountDownLatch(1);
    entered = new CountDownLatch(1);
    finished = new CountDownLatch(1);
    topic = "fencing-" + UUID.randomUUID();
    kafka.createTopics(topic, 1, 1, Map.of());
  }

  @AfterEach
  void close() {
    gate.countDown();
    managers.forEach(CacheManager::close);
  }

  private Cache<String, String> node(String name,
      Factory<? extends CacheWriter<? super String, ? super String>> writer) {
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:fencing-" + name + "-" + UUID.randomUUID()),
        getClass().getClassLoader());
    managers.add(manager);
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
            .logSetting(KafkaSettings.TOPIC, topic)
            .logSetting(KafkaSettings.OFFSETS_REFRESH, "100ms")
            .logSetting("consumer.session.timeout.ms", "6000")
            .logSetting("consumer.heartbeat.interval.ms", "500")
            // the zombie: stuck in its writer longer than this, it is evicted from the group
            .logSetting("consumer.max.poll.interval.ms", "2000")
            .durability(Durability.SYNC)
            .maxWriteDelay(Duration.ofMillis(5))
            .drainTimeout(Duration.ofSeconds(5))
            .build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(writer);
    return manager.createCache("orders", config);
  }

  /** a's batch {k=1} is stuck in the writer; b takes over and writes k=2; then a goes on. */
  private void zombieScenario(
      Factory<? extends CacheWriter<? super String, ? super String>> writer) throws Exception {
    holdNext.set(true);
    Cache<String, String> a = node("a", writer);
    a.put("k", "1");
    assertTrue(entered.await(30, TimeUnit.SECONDS), "a's drain is in the writer");
    Cache<String, String> b = node("b", writer);
    Await.until("b drained k=1 after a was evicted", Await.WAIT,
        () -> "1".equals(TABLE.get("k")), TABLE::toString);
    b.put("k", "2");
    Await.until("b drained k=2", Await.WAIT, () -> "2".equals(TABLE.get("k")), TABLE::toString);
    gate.countDown();
    assertTrue(finished.await(30, TimeUnit.SECONDS), "the zombie's writer call returned");
  }

  @Test
  void aZombiesOldBatchNeverTakesTheTableBackInTime() throws Exception {
    zombieScenario(FactoryBuilder.factoryOf(FencedWriter.class));
    assertEquals("2", TABLE.get("k"), "the fence refused the zombie's k=1");
    assertEquals(1L, TOKENS.get("k"), "k=2 was the partition's second record");
  }

  @Test
  void withoutTheFenceTheZombiesOldBatchOverwritesTheNewerValue() throws Exception {
    zombieScenario(FactoryBuilder.factoryOf(PlainWriter.class));
    assertEquals("1", TABLE.get("k"), "the stale write landed: the window a fenced writer closes");
  }
}
