package dev.jotter.kafka;

import dev.jotter.configuration.ConfigurationFile;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.cache.CacheException;

/**
 * The settings of the Kafka write-behind log: the keys of
 * {@link dev.jotter.configuration.WriteBehindConfiguration#logSettings()} when
 * {@code log("kafka")} is chosen, and in a configuration file the keys
 * {@code write-behind.kafka.<key>}.
 *
 * <pre>{@code
 * WriteBehindConfiguration.builder()
 *     .log(KafkaSettings.LOG)
 *     .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, "kafka-1:9092,kafka-2:9092")
 *     .logSetting(KafkaSettings.TOPIC, "orders-pending")
 *     .logSetting("producer.linger.ms", "2")
 *     .build();
 * }</pre>
 *
 * <p>Keys starting with {@value #PRODUCER_PREFIX} or {@value #CONSUMER_PREFIX} are passed, without
 * the prefix, to the Kafka producer or consumer; {@code acks}, {@code enable.idempotence}, the
 * serializers, {@code group.id} and {@code enable.auto.commit} are the log's and cannot be changed.
 * An unknown key fails the cache's creation with a {@link CacheException} naming it.
 */
public final class KafkaSettings {

  /** The name of the log: {@code write-behind.log = kafka}. */
  public static final String LOG = "kafka";
  /** Required: the Kafka bootstrap servers, {@code host:port} separated by commas. */
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  /** The topic of the pending writes; default {@code jotter.<cache name>}. */
  public static final String TOPIC = "topic";
  /**
   * The topic of the dead letters; default {@code <topic>.dead-letters}. Every node reads it
   * whole into memory, and it is the only place a letter lives: give it
   * {@code cleanup.policy=compact} (resolved letters are followed by tombstones) or
   * {@code retention.ms=-1}, never a time retention that would drop letters nobody handled.
   */
  public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
  /** The consumer group that drains the topic; default {@code jotter.<cache name>}. */
  public static final String GROUP = "group";
  /**
   * Whether the log creates its topics when they are missing ({@code false} by default: a missing
   * topic fails the cache's creation).
   */
  public static final String CREATE_TOPICS = "create-topics";
  /** The partitions of topics the log creates; default 12. */
  public static final String PARTITIONS = "partitions";
  /** The replication factor of topics the log creates; default 3. */
  public static final String REPLICATION_FACTOR = "replication-factor";
  /** The least replication factor the topic may have; default 1. */
  public static final String MIN_REPLICATION_FACTOR = "min-replication-factor";
  /** The least {@code min.insync.replicas} the topic may have; default 1. */
  public static final String MIN_INSYNC_REPLICAS = "min-insync-replicas";
  /** How long the start-up checks may wait for the cluster; default {@code 10s}. */
  public static final String STARTUP_TIMEOUT = "startup-timeout";
  /** How often a node reads the group's committed offsets to confirm its writes; default {@code 1s}. */
  public static final String OFFSETS_REFRESH = "offsets-refresh";
  /**
   * What this node does with the other nodes' mutations, which it reads from the topic as a tail
   * reader outside the group: {@code update} (the default: its cache takes each key's newest
   * value, so a read on any node returns the newest acknowledged value once this node has read
   * it), {@code invalidate} (its cache drops the entry; reads of a key not yet drained are
   * answered from the log, later ones by the loader) or {@code none} (each node's cache holds
   * only what it wrote or loaded: caches may disagree).
   */
  public static final String COHERENCE = "coherence";
  /** Prefix of settings passed to the producer. */
  public static final String PRODUCER_PREFIX = "producer.";
  /** Prefix of settings passed to the consumer. */
  public static final String CONSUMER_PREFIX = "consumer.";

  private static final Set<String> KEYS = Set.of(BOOTSTRAP_SERVERS, TOPIC, DEAD_LETTER_TOPIC, GROUP,
      CREATE_TOPICS, PARTITIONS, REPLICATION_FACTOR, MIN_REPLICATION_FACTOR, MIN_INSYNC_REPLICAS,
      STARTUP_TIMEOUT, OFFSETS_REFRESH, COHERENCE);
  private static final Set<String> RESERVED_PRODUCER = Set.of("acks", "enable.idempotence",
      "key.serializer", "value.serializer", "bootstrap.servers");
  private static final Set<String> RESERVED_CONSUMER = Set.of("group.id", "enable.auto.commit",
      "key.deserializer", "value.deserializer", "bootstrap.servers", "max.poll.records");

  private KafkaSettings() {}

  /** The values of {@link #COHERENCE}. */
  enum Coherence { UPDATE, INVALIDATE, NONE }

  /** The parsed settings of one cache. */
  record Parsed(String bootstrapServers, String topic, String deadLetterTopic, String group,
      boolean createTopics, int partitions, short replicationFactor, int minReplicationFactor,
      int minInsyncReplicas, Duration startupTimeout, Duration offsetsRefresh,
      Coherence coherence, Map<String, Object> producer, Map<String, Object> consumer) {}

  static Parsed parse(String cacheName, Map<String, String> settings) {
    Map<String, Object> producer = new HashMap<>();
    Map<String, Object> consumer = new HashMap<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(PRODUCER_PREFIX)) {
        passThrough(cacheName, key, PRODUCER_PREFIX, RESERVED_PRODUCER, e.getValue(), producer);
      } else if (key.startsWith(CONSUMER_PREFIX)) {
        passThrough(cacheName, key, CONSUMER_PREFIX, RESERVED_CONSUMER, e.getValue(), consumer);
      } else if (!KEYS.contains(key)) {
        throw new CacheException("cache " + cacheName + ": unknown Kafka log setting '" + key
            + "' (known: " + new java.util.TreeSet<>(KEYS) + ", producer.*, consumer.*)");
      }
    }
    String servers = settings.get(BOOTSTRAP_SERVERS);
    if (servers == null || servers.isBlank()) {
      throw new CacheException("cache " + cacheName + ": the Kafka log needs '" + BOOTSTRAP_SERVERS
          + "' (write-behind.kafka." + BOOTSTRAP_SERVERS + " in a configuration file)");
    }
    String topic = settings.getOrDefault(TOPIC, "jotter." + cacheName);
    return new Parsed(servers, topic,
        settings.getOrDefault(DEAD_LETTER_TOPIC, topic + ".dead-letters"),
        settings.getOrDefault(GROUP, "jotter." + cacheName),
        Boolean.parseBoolean(settings.getOrDefault(CREATE_TOPICS, "false")),
        integer(cacheName, settings, PARTITIONS, 12, 1, 100_000),
        (short) integer(cacheName, settings, REPLICATION_FACTOR, 3, 1, Short.MAX_VALUE),
        integer(cacheName, settings, MIN_REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE),
        integer(cacheName, settings, MIN_INSYNC_REPLICAS, 1, 1, Short.MAX_VALUE),
        duration(settings, STARTUP_TIMEOUT, "10s"), duration(settings, OFFSETS_REFRESH, "1s"),
        coherence(cacheName, settings.getOrDefault(COHERENCE, "update")), producer, consumer);
  }

  private static Coherence coherence(String cacheName, String text) {
    for (Coherence c : Coherence.values()) {
      if (c.name().equalsIgnoreCase(text.trim())) {
        return c;
      }
    }
    throw new CacheException("cache " + cacheName + ": Kafka log setting '" + COHERENCE + "' is '"
        + text + "'; expected update, invalidate or none");
  }

  private static void passThrough(String cacheName, String key, String prefix,
      Set<String> reserved, String value, Map<String, Object> target) {
    String name = key.substring(prefix.length());
    if (reserved.contains(name)) {
      throw new CacheException("cache " + cacheName + ": Kafka log setting '" + key
          + "' cannot be changed (the log sets " + reserved + ")");
    }
    target.put(name, value);
  }

  private static int integer(String cacheName, Map<String, String> settings, String key, int def,
      int min, int max) {
    String text = settings.get(key);
    if (text == null) {
      return def;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new CacheException("cache " + cacheName + ": Kafka log setting '" + key + "' is '" + text
        + "'; expected an integer in [" + min + ", " + max + "]");
  }

  private static Duration duration(Map<String, String> settings, String key, String def) {
    return ConfigurationFile.parseDuration("write-behind.kafka." + key,
        settings.getOrDefault(key, def));
  }
}
