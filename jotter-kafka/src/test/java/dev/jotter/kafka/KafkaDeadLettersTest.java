package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.KeyStatus;
import dev.jotter.writebehind.WriteBehind;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dead letters of the Kafka log through the cache's API, on a real Kafka cluster (one KRaft node
 * in the JVM): two cache managers stand for two nodes that share the topics.
 */
class KafkaDeadLettersTest {
  private static final String POISON_VALUE = "secret-value-of-the-poison";
  private static KafkaCluster kafka;
  private final List<CacheManager> managers = new ArrayList<>();
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  /** Strongly held: java.util.logging forgets the level of a logger nobody references. */
  private final Logger logger = Logger.getLogger("dev.jotter.kafka");
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private String topic;

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
    KafkaWriteBehindTest.CountingLoader.CALLS.set(0);
    topic = "letters-" + UUID.randomUUID();
    kafka.createTopics(topic, 4, 1, Map.of());
    logger.setLevel(Level.ALL);
    logger.addHandler(capture);
  }

  @AfterEach
  void close() {
    RecordingWriter.gate.countDown();
    RecordingWriter.POISON.clear();
    managers.forEach(CacheManager::close);
    logger.removeHandler(capture);
    String all = String.join("\n", logs());
    assertFalse(all.contains(POISON_VALUE), "no value in the logs: " + all);
  }

  private List<String> logs() {
    List<String> messages = new ArrayList<>();
    java.util.logging.SimpleFormatter formatter = new java.util.logging.SimpleFormatter();
    for (LogRecord record : logged) {
      messages.add(formatter.format(record));
    }
    return messages;
  }

  private WriteBehindConfiguration settings() {
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
        .maxBackoff(Duration.ofMillis(20))
        .maxAttempts(3)
        .drainTimeout(Duration.ofSeconds(20))
        .build();
  }

  private Cache<String, String> node(String name) {
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:letters-" + name + "-" + UUID.randomUUID()),
        getClass().getClassLoader());
    managers.add(manager);
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class))
        .setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(KafkaWriteBehindTest.CountingLoader.class));
    return manager.createCache("orders", config);
  }

  private static DeadLetters<String, String> letters(Cache<String, String> cache) {
    return JotterCache.of(cache).deadLetters().orElseThrow();
  }

  private static WriteBehind<String, String> writeBehind(Cache<String, String> cache) {
    return JotterCache.of(cache).writeBehind().orElseThrow();
  }

  /** Node a drains a poison write and a healthy one; returns once the letter is a's. */
  private Cache<String, String> poisoned() {
    RecordingWriter.POISON.add("poison");
    Cache<String, String> a = node("a");
    a.put("healthy", "h");
    a.put("poison", POISON_VALUE);
    assertTrue(JotterCache.of(a).flush(Duration.ofSeconds(30)).completed());
    Await.until("the poison is a letter on the node that drained it",
        () -> letters(a).size() == 1);
    return a;
  }

  private static void awaitNoLetter(String node, Cache<String, String> cache) {
    Await.until("no letter on node " + node, Await.WAIT, () -> letters(cache).size() == 0
        && letters(cache).get("poison").isEmpty(), () -> letters(cache).list());
  }

  @Test
  void aPoisonRecordIsALetterOnEveryNodeWithItsCauseAndAnswersReads() {
    Cache<String, String> a = poisoned();
    assertEquals("h", RecordingWriter.TABLE.get("healthy"));
    Cache<String, String> b = node("b");

    for (Cache<String, String> node : List.of(a, b)) {
      List<DeadLetter<String, String>> list = letters(node).list();
      assertEquals(1, list.size(), list.toString());
      DeadLetter<String, String> letter = list.get(0);
      assertEquals("poison", letter.key());
      assertEquals(POISON_VALUE, letter.value());
      assertFalse(letter.isDelete());
      assertEquals(3, letter.attempts());
      assertEquals("javax.cache.integration.CacheWriterException", letter.causeClass());
      assertEquals("poison key poison rejected", letter.causeMessage().orElseThrow());
      assertFalse(letter.lastFailure().isBefore(letter.firstFailure()), letter.toString());
      assertFalse(letter.toString().contains(POISON_VALUE), "toString shows no value");
      assertEquals(letter.id(), letters(node).get("poison").orElseThrow().id());
      assertEquals(1, writeBehind(node).statistics().deadLetters(), "counted in the statistics");
      assertEquals(Integer.MAX_VALUE, letters(node).capacity());

      // contract clause 7: the letter is the key's newest state, not the loader's
      node.clear();
      assertEquals(POISON_VALUE, node.get("poison"));
      assertTrue(node.containsKey("poison"));
      assertEquals(KeyStatus.State.DEAD_LETTER, writeBehind(node).status("poison").state());
    }
    assertEquals(0, KafkaWriteBehindTest.CountingLoader.CALLS.get(), "the loader is not asked");
    assertEquals(1, writeBehind(a).statistics().deadLettered());
    assertTrue(logs().stream().anyMatch(m -> m.contains("key poison dead-lettered")), logs()
        .toString());
  }

  @Test
  void aResubmittedLetterIsWrittenOnceTheWriterIsFixedAndLeavesEveryNode() {
    Cache<String, String> a = poisoned();
    Cache<String, String> b = node("b");
    assertEquals(1, letters(b).size());
    RecordingWriter.POISON.clear();

    assertEquals(1, letters(b).resubmitAll(), "resubmitted on the node that did not drain it");
    Await.until("the writer holds the resubmitted write",
        () -> POISON_VALUE.equals(RecordingWriter.TABLE.get("poison")));
    awaitNoLetter("b", b);
    awaitNoLetter("a", a);
    assertEquals(0, writeBehind(a).statistics().deadLetters());
    assertEquals(List.of(POISON_VALUE), RecordingWriter.HISTORY.get("poison"), "written once");
    assertTrue(logs().stream().anyMatch(m -> m.contains("resubmitted 1 dead letters: keys "
        + "[poison]")), logs().toString());
  }

  @Test
  void aDiscardedLetterLeavesEveryNodeAndIsCounted() {
    Cache<String, String> a = poisoned();
    Cache<String, String> b = node("b");
    assertEquals(1, letters(b).size());

    assertEquals(0, letters(a).discard(List.of("no-such-key")));
    assertEquals(1, letters(a).discard(List.of("poison")));
    assertEquals(0, letters(a).size(), "gone at once on the discarding node");
    awaitNoLetter("b", b);
    assertEquals(1, writeBehind(a).statistics().deadLettersDiscarded());
    assertFalse(RecordingWriter.TABLE.containsKey("poison"));
    assertTrue(logs().stream().anyMatch(m -> m.contains("discarded 1 dead letters for good: keys "
        + "[poison]")), logs().toString());
    RecordingWriter.POISON.clear();
    assertEquals(0, letters(b).resubmitAll(), "nothing left to resubmit");
  }

  @Test
  void aNewerWrittenMutationOfTheKeySupersedesItsLetter() {
    Cache<String, String> a = poisoned();
    Cache<String, String> b = node("b");
    DeadLetter<String, String> old = letters(b).list().get(0);
    RecordingWriter.POISON.clear();

    // while the newer write is pending on a, a's resubmission of the old letter is refused
    RecordingWriter.gate = new CountDownLatch(1);
    a.put("poison", "newer");
    assertFalse(letters(a).get("poison").orElseThrow().resubmit(), "a newer mutation is pending");
    RecordingWriter.gate.countDown();

    Await.until("the newer value is written", () -> "newer".equals(RecordingWriter.TABLE.get(
        "poison")));
    awaitNoLetter("a", a);
    awaitNoLetter("b", b);
    assertFalse(old.resubmit(), "a superseded letter is stale");
    assertEquals(List.of("newer"), RecordingWriter.HISTORY.get("poison"));
  }

  @Test
  void aResubmissionBehindANewerMutationOfItsKeyIsNotWritten() {
    Cache<String, String> a = poisoned();
    Cache<String, String> b = node("b");
    RecordingWriter.POISON.clear();
    RecordingWriter.gate = new CountDownLatch(1);
    // node b's newer write is in the topic, not written yet; a knows nothing of it
    b.put("poison", "newer");
    assertEquals(1, letters(a).resubmitAll(), "a's resubmission goes behind b's write");
    RecordingWriter.gate.countDown();

    assertTrue(JotterCache.of(b).flush(Duration.ofSeconds(30)).completed());
    assertTrue(JotterCache.of(a).flush(Duration.ofSeconds(30)).completed(),
        "the group committed past the resubmitted record");
    assertEquals("newer", RecordingWriter.TABLE.get("poison"), "never an older value over it");
    assertEquals(List.of("newer"), RecordingWriter.HISTORY.get("poison"));
    awaitNoLetter("a", a);
    awaitNoLetter("b", b);
    assertTrue(logs().stream().anyMatch(m -> m.contains("a newer mutation of its key came after "
        + "the letter")), logs().toString());
  }

  @Test
  void lettersAreListedAgainAfterARestart() {
    Cache<String, String> a = poisoned();
    DeadLetter<String, String> before = letters(a).list().get(0);
    managers.remove(0).close();

    Cache<String, String> again = node("a-again");
    List<DeadLetter<String, String>> after = letters(again).list();
    assertEquals(1, after.size(), after.toString());
    assertEquals(before.id(), after.get(0).id());
    assertEquals(before.key(), after.get(0).key());
    assertEquals(before.value(), after.get(0).value());
    assertEquals(before.attempts(), after.get(0).attempts());
    assertEquals(before.causeClass(), after.get(0).causeClass());
    assertEquals(before.firstFailure(), after.get(0).firstFailure());
  }

  @Test
  void aPageNeedsANonNegativeOffsetAndLimit() {
    Cache<String, String> a = poisoned();
    IllegalArgumentException offset = assertThrows(IllegalArgumentException.class,
        () -> letters(a).list(-1, 10));
    assertTrue(offset.getMessage().contains("offset"), offset.getMessage());
    IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
        () -> letters(a).list(0, -1));
    assertTrue(limit.getMessage().contains("limit"), limit.getMessage());
    assertEquals(0, letters(a).list(1, 10).size());
    assertEquals(0, letters(a).list(0, 0).size());
    assertEquals(1, letters(a).list(0, 1).size());
  }
}
