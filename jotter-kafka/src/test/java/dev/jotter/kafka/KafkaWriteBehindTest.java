package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.KeyStatus;
import dev.jotter.writebehind.WriteBehind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write-behind through a real Kafka cluster (one KRaft node in the JVM): two cache managers stand
 * for two nodes of an application, each a member of the cache's consumer group.
 */
class KafkaWriteBehindTest {
  private static KafkaCluster kafka;
  private final List<CacheManager> managers = new ArrayList<>();
  private String topic;

  /** A loader that counts its calls and answers "loaded". */
  public static final class CountingLoader implements CacheLoader<String, String> {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public String load(String key) {
      CALLS.incrementAndGet();
      return "loaded";
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> all = new java.util.HashMap<>();
      keys.forEach(k -> all.put(k, load(k)));
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
    CountingLoader.CALLS.set(0);
    FailingWriter.CALLS.set(0);
    topic = "orders-" + UUID.randomUUID();
    kafka.createTopics(topic, 4, 1, Map.of());
  }

  @AfterEach
  void close() {
    RecordingWriter.gate.countDown();
    managers.forEach(CacheManager::close);
  }

  private WriteBehindConfiguration.Builder settings() {
    return WriteBehindConfiguration.builder()
        .log(KafkaSettings.LOG)
        .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
        .logSetting(KafkaSettings.TOPIC, topic)
        .logSetting(KafkaSettings.OFFSETS_REFRESH, "100ms")
        .logSetting("consumer.session.timeout.ms", "6000")
        .logSetting("consumer.heartbeat.interval.ms", "500")
        .durability(Durability.SYNC)
        .maxWriteDelay(Duration.ofMillis(5))
        .initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(50))
        .drainTimeout(Duration.ofSeconds(20));
  }

  private Cache<String, String> node(String name, WriteBehindConfiguration settings,
      boolean readThrough) {
    return node(name, settings, readThrough, RecordingWriter.class);
  }

  private Cache<String, String> node(String name, WriteBehindConfiguration settings,
      boolean readThrough,
      Class<? extends javax.cache.integration.CacheWriter<String, String>> writer) {
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:kafka-" + name + "-" + UUID.randomUUID()), getClass().getClassLoader());
    managers.add(manager);
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings);
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(writer));
    if (readThrough) {
      config.setReadThrough(true).setCacheLoaderFactory(
          FactoryBuilder.factoryOf(CountingLoader.class));
    }
    return manager.createCache("orders", config);
  }

  private static boolean flushed(Cache<String, String> cache) {
    return JotterCache.of(cache).flush(Duration.ofSeconds(30)).completed();
  }

  @Test
  void eachKeysMutationsFromTwoNodesReachTheWriterInTheirOrder() {
    Cache<String, String> a = node("a", settings().build(), false);
    Cache<String, String> b = node("b", settings().build(), false);
    int rounds = 50;
    for (int i = 0; i < rounds; i++) {
      for (int k = 0; k < 8; k++) {
        // one key alternates between the nodes; each put is acknowledged before the next
        (i % 2 == 0 ? a : b).put("k" + k, Integer.toString(i));
      }
    }
    b.remove("k0");
    assertTrue(flushed(a) && flushed(b), "both nodes' writes are drained");
    for (int k = 0; k < 8; k++) {
      List<String> history = RecordingWriter.HISTORY.get("k" + k);
      assertNotNull(history, "k" + k + " reached the writer");
      List<Integer> seen = new ArrayList<>();
      for (String v : history) {
        if (!v.equals("<deleted>")) {
          seen.add(Integer.parseInt(v));
        }
      }
      for (int i = 1; i < seen.size(); i++) {
        // at-least-once may repeat a value after a rebalance, never go back past a newer one
        assertTrue(seen.get(i) >= seen.get(i - 1), "k" + k + " in order: " + history);
      }
      if (k == 0) {
        assertEquals("<deleted>", history.get(history.size() - 1), "the delete came last");
        assertFalse(RecordingWriter.TABLE.containsKey("k0"));
      } else {
        assertEquals(Integer.toString(rounds - 1), RecordingWriter.TABLE.get("k" + k));
      }
    }
  }

  @Test
  void aBatchCoalescesTheRecordsOfAKey() {
    RecordingWriter.gate = new CountDownLatch(1);
    Cache<String, String> cache = node("a", settings().batchSize(500).build(), false);
    cache.put("warm-up", "0");
    Await.until("the drain is held in the writer", () -> RecordingWriter.CALLS.get() == 0
        && RecordingWriter.gate.getCount() == 1 && hasWaitingWriter());
    for (int i = 0; i < 200; i++) {
      cache.put("hot", Integer.toString(i));
    }
    RecordingWriter.gate.countDown();
    assertTrue(flushed(cache));
    List<String> history = RecordingWriter.HISTORY.get("hot");
    assertEquals("199", history.get(history.size() - 1), "the last value is written last");
    assertTrue(history.size() < 200, "records of one key coalesced in a batch: " + history.size());
    assertTrue(JotterCache.of(cache).writeBehind().orElseThrow().statistics().coalesced() > 0);
  }

  private static boolean hasWaitingWriter() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith("jotter-kafka-drain-")
            && t.getState() == Thread.State.WAITING);
  }

  @Test
  void aPoisonRecordGoesToTheDeadLetterTopicWithItsCauseAndHoldsNothingBack() {
    RecordingWriter.POISON.add("poison");
    Cache<String, String> cache = node("a", settings().maxAttempts(3).build(), false);
    for (int i = 0; i < 30; i++) {
      cache.put(i == 17 ? "poison" : "key" + i, "v" + i);
    }
    assertTrue(flushed(cache));
    for (int i = 0; i < 30; i++) {
      if (i != 17) {
        assertEquals("v" + i, RecordingWriter.TABLE.get("key" + i), "key" + i + " written");
      }
    }
    assertFalse(RecordingWriter.TABLE.containsKey("poison"));
    assertEquals(1, JotterCache.of(cache).writeBehind().orElseThrow().statistics().deadLettered());

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      dlq.subscribe(List.of(topic + ".dead-letters"));
      List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
      Await.until("the dead letter is in its topic", Await.WAIT, () -> {
        dlq.poll(Duration.ofMillis(200)).forEach(letters::add);
        return !letters.isEmpty();
      }, () -> "");
      ConsumerRecord<byte[], byte[]> letter = letters.get(0);
      assertEquals(1, letters.size());
      assertEquals("poison", new String(letter.key(), StandardCharsets.UTF_8));
      assertEquals("javax.cache.integration.CacheWriterException",
          header(letter, Drainer.CAUSE_CLASS));
      assertEquals("poison key poison rejected", header(letter, Drainer.CAUSE_MESSAGE));
      assertEquals("3", header(letter, Drainer.ATTEMPTS));
    }
    assertEquals(1L, jmx(cache, "DeadLettered"), "counted over JMX");
  }

  @Test
  void afterAPartialFailureOnlyTheEntriesLeftInTheCollectionAreRetried() {
    RecordingWriter.POISON.add("poison");
    RecordingWriter.partial = true;
    RecordingWriter.gate = new CountDownLatch(1);
    Cache<String, String> cache = node("a", settings().maxAttempts(3).build(), false);
    for (int i = 0; i < 30; i++) {
      cache.put(i == 7 ? "poison" : "key" + i, "v" + i);
    }
    RecordingWriter.gate.countDown();
    assertTrue(flushed(cache));
    for (int i = 0; i < 30; i++) {
      if (i != 7) {
        assertEquals(List.of("v" + i), RecordingWriter.HISTORY.get("key" + i),
            "key" + i + " written once, never retried");
      }
    }
    assertEquals(1, JotterCache.of(cache).writeBehind().orElseThrow().statistics().deadLettered());
  }

  private Object jmx(Cache<String, String> cache, String attribute) {
    try {
      return java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(
          dev.jotter.management.MBeans.name(KafkaWriteBehindLog.JMX_TYPE,
              cache.getCacheManager().getURI(), cache.getName()), attribute);
    } catch (javax.management.JMException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theLogsFiguresAreMetersAndJmxAttributes() {
    Cache<String, String> cache = node("a", settings().build(), false);
    for (int i = 0; i < 100; i++) {
      cache.put("k" + i, "v");
    }
    assertTrue(flushed(cache));
    assertEquals(100L, jmx(cache, "ProducedRecords"));
    assertTrue((Double) jmx(cache, "ProduceLatencyMillis") > 0);
    assertTrue((Long) jmx(cache, "Rebalances") >= 1, "the member was assigned partitions");
    Await.until("no lag once drained", () -> (Long) jmx(cache, "LagRecords") == 0
        && (Double) jmx(cache, "LagSeconds") == 0.0);

    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    KafkaLogMetrics.of(cache).orElseThrow().bindTo(registry);
    assertEquals(100.0, registry.get(KafkaLogMetrics.PRODUCED).functionCounter().count());
    assertEquals(4, registry.find(KafkaLogMetrics.LAG_RECORDS).gauges().stream()
        .filter(g -> !"all".equals(g.getId().getTag("partition"))).count(),
        "one lag gauge per partition this node drains");
    assertEquals(0.0, registry.get(KafkaLogMetrics.LAG_RECORDS).tag("partition", "all").gauge()
        .value());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aKeyNotYetDrainedIsAnsweredFromPendingStateNotTheLoader() {
    RecordingWriter.gate = new CountDownLatch(1);
    Cache<String, String> cache = node("a", settings().build(), true);
    cache.put("k", "mine");
    cache.put("gone", "x");
    cache.remove("gone");
    cache.clear(); // out of memory, not out of the log: the drain waits in the writer
    assertEquals("mine", cache.get("k"));
    assertFalse(cache.containsKey("gone") && cache.get("gone") != null);
    assertEquals(null, cache.get("gone"), "a pending delete answers absent");
    assertEquals(0, CountingLoader.CALLS.get(), "the loader is not asked for pending keys");
    WriteBehind<String, String> writeBehind = JotterCache.of(cache).writeBehind().orElseThrow();
    KeyStatus<String, String> waiting = writeBehind.status("k");
    assertEquals(KeyStatus.State.WAITING, waiting.state(), waiting.toString());
    assertEquals(KeyStatus.State.WAITING, writeBehind.status("gone").state());
    assertTrue(writeBehind.status("gone").isDelete());

    RecordingWriter.gate.countDown();
    assertTrue(flushed(cache));
    assertEquals(KeyStatus.State.CONFIRMED, writeBehind.status("k").state(),
        "the group committed past the key's record");
    cache.clear();
    assertEquals("loaded", cache.get("k"), "once drained, a missing key is loaded");
    assertEquals(1, CountingLoader.CALLS.get());
  }

  @Test
  void aBackoffLongerThanTheMaxPollIntervalKeepsTheMemberInTheGroup() {
    // each wait between attempts (2 s) is twice max.poll.interval.ms: a member that waited
    // without polling would be evicted, its commit refused, its batch retried for ever
    Cache<String, String> cache = node("a", settings().maxAttempts(3)
        .maxRetryTime(Duration.ofMinutes(1)).initialBackoff(Duration.ofSeconds(2))
        .maxBackoff(Duration.ofSeconds(2)).jitter(0)
        .logSetting("consumer.max.poll.interval.ms", "1000").build(), false,
        FailingWriter.class);
    cache.put("k", "v");
    WriteBehind<String, String> writeBehind = JotterCache.of(cache).writeBehind().orElseThrow();
    Await.until("the key is dead-lettered after its 3 attempts",
        () -> writeBehind.deadLetters().size() == 1);
    assertTrue(flushed(cache), "the group committed past the record");
    assertEquals(3, FailingWriter.CALLS.get(), "3 attempts, no batch retried after an eviction");
    assertEquals(1, writeBehind.statistics().deadLettered());
    assertEquals(3, writeBehind.deadLetters().get("k").orElseThrow().attempts());
    assertEquals(1L, jmx(cache, "Rebalances"), "assigned once, never revoked");
  }

  @Test
  void aSurvivingMemberWritesWhatALeavingMemberAcknowledgedButCouldNotWrite() {
    // node a's database is down: it drains nothing, commits nothing, then leaves the group
    Cache<String, String> a = node("a", settings().maxAttempts(1_000_000)
        .maxRetryTime(Duration.ofHours(1)).drainTimeout(Duration.ofSeconds(2)).build(), false,
        FailingWriter.class);
    Cache<String, String> b = node("b", settings().build(), false);
    for (int i = 0; i < 300; i++) {
      a.put("key" + i, "v" + i);
    }
    Await.until("node a's member fails to write its partitions",
        () -> FailingWriter.CALLS.get() > 0);
    assertTrue(RecordingWriter.TABLE.size() < 300, "node a holds some partitions");
    managers.remove(0).close();
    Await.until("node b writes every write node a acknowledged", Await.WAIT,
        () -> RecordingWriter.TABLE.size() == 300, () -> RecordingWriter.TABLE.size());
    for (int i = 0; i < 300; i++) {
      assertEquals("v" + i, RecordingWriter.TABLE.get("key" + i));
    }
    assertTrue(flushed(b));
  }
}
