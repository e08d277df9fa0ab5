package dev.jotter.kafka;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import javax.cache.CacheException;

/**
 * The start-up checks of a Kafka log: the cluster answers within the start-up timeout, both topics
 * exist (or are created when allowed), and their replication factor and {@code min.insync.replicas}
 * are at least the configured minimums. Each failure is a {@link CacheException} that names the
 * servers or the topic and the numbers.
 */
final class TopicCheck {

  private TopicCheck() {}

  /** Opens an admin client whose calls give up after the start-up timeout. */
  static Admin admin(KafkaSettings.Parsed s) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    int timeout = (int) Math.min(Integer.MAX_VALUE, s.startupTimeout().toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
    return Admin.create(p);
  }

  /** Runs every check; returns the number of partitions of the topic. */
  static int check(String cacheName, KafkaSettings.Parsed s, Admin admin) {
    long timeout = s.startupTimeout().toMillis();
    try {
      admin.describeCluster().nodes().get(timeout, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new CacheException("cache " + cacheName + ": Kafka bootstrap servers "
          + s.bootstrapServers() + " did not answer within " + s.startupTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("cache " + cacheName + ": interrupted while connecting to Kafka", e);
    }
    int partitions = topic(cacheName, s, admin, s.topic());
    topic(cacheName, s, admin, s.deadLetterTopic());
    return partitions;
  }

  private static int topic(String cacheName, KafkaSettings.Parsed s, Admin admin, String topic) {
    long timeout = s.startupTimeout().toMillis();
    try {
      TopicDescription description;
      try {
        description = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(timeout, TimeUnit.MILLISECONDS).get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        if (!s.createTopics()) {
          throw new CacheException("cache " + cacheName + ": Kafka topic '" + topic
              + "' does not exist on " + s.bootstrapServers() + " (create it, or set write-behind."
              + "kafka." + KafkaSettings.CREATE_TOPICS + " = true)");
        }
        create(s, admin, topic, timeout);
        description = describeCreated(admin, topic, System.nanoTime() + timeout * 1_000_000L);
      }
      int replication = description.partitions().stream()
          .mapToInt(p -> p.replicas().size()).min().orElse(0);
      if (replication < s.minReplicationFactor()) {
        throw new CacheException("cache " + cacheName + ": Kafka topic '" + topic
            + "' has replication factor " + replication + ", below the configured minimum "
            + s.minReplicationFactor() + " (" + KafkaSettings.MIN_REPLICATION_FACTOR + ")");
      }
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all()
          .get(timeout, TimeUnit.MILLISECONDS);
      int minIsr = Integer.parseInt(
          configs.get(resource).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value());
      if (minIsr < s.minInsyncReplicas()) {
        throw new CacheException("cache " + cacheName + ": Kafka topic '" + topic
            + "' has min.insync.replicas " + minIsr + ", below the configured minimum "
            + s.minInsyncReplicas() + " (" + KafkaSettings.MIN_INSYNC_REPLICAS + ")");
      }
      return description.partitions().size();
    } catch (TimeoutException | ExecutionException e) {
      throw new CacheException("cache " + cacheName + ": could not check Kafka topic '" + topic
          + "' on " + s.bootstrapServers() + " within " + s.startupTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("cache " + cacheName + ": interrupted while checking Kafka", e);
    }
  }

  /** A new topic reaches the brokers' metadata a little after its creation: wait for it. */
  private static TopicDescription describeCreated(Admin admin, String topic, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    while (true) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        return admin.describeTopics(List.of(topic)).allTopicNames()
            .get(left, TimeUnit.NANOSECONDS).get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() - deadline > 0) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    }
  }

  private static void create(KafkaSettings.Parsed s, Admin admin, String topic, long timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    NewTopic newTopic = new NewTopic(topic, s.partitions(), s.replicationFactor());
    if (s.minInsyncReplicas() > 1) {
      newTopic.configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
          Integer.toString(s.minInsyncReplicas())));
    }
    try {
      admin.createTopics(List.of(newTopic)).all().get(timeout, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e; // another node created it first: fine
      }
    }
  }
}
