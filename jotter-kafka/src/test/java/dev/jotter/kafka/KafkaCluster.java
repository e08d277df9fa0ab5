package dev.jotter.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

/**
 * A KRaft cluster in the test JVM: 1 combined node, or N brokers and 1 controller (more
 * controllers in one JVM lose their quorum). Small-cluster overrides: the offsets topic's
 * replication factor matches the brokers, no initial rebalance delay, few offsets partitions.
 */
final class KafkaCluster implements AutoCloseable {
  final KafkaClusterTestKit kit;
  private final Admin admin;

  private KafkaCluster(KafkaClusterTestKit kit) {
    this.kit = kit;
    this.admin = kit.admin();
  }

  static KafkaCluster start(int brokers) throws Exception {
    // a fatal broker path must not System.exit the test fork
    Exit.setExitProcedure((status, message) -> {
      throw new IllegalStateException("broker exit " + status + ": " + message);
    });
    Exit.setHaltProcedure((status, message) -> {
      throw new IllegalStateException("broker halt " + status + ": " + message);
    });
    TestKitNodes nodes = new TestKitNodes.Builder()
        .setCombined(brokers == 1)
        .setNumBrokerNodes(brokers)
        .setNumControllerNodes(1)
        .build();
    KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("offsets.topic.replication.factor", Integer.toString(Math.min(3, brokers)))
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    return new KafkaCluster(kit);
  }

  String bootstrapServers() {
    return kit.bootstrapServers();
  }

  Admin admin() {
    return admin;
  }

  /** Creates the topic and its dead-letter topic. */
  void createTopics(String topic, int partitions, int replication, Map<String, String> configs)
      throws Exception {
    admin.createTopics(List.of(
            new NewTopic(topic, partitions, (short) replication).configs(configs),
            new NewTopic(topic + ".dead-letters", 1, (short) replication).configs(configs)))
        .all().get(30, TimeUnit.SECONDS);
    // the brokers learn of new topics a little after the controller accepted them
    for (String name : List.of(topic, topic + ".dead-letters")) {
      Await.until("topic " + name + " is known to the brokers", () -> {
        try {
          admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS);
          return kit.brokers().values().stream().allMatch(
              b -> b.metadataCache().contains(name));
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  @Override
  public void close() throws Exception {
    admin.close();
    kit.close();
  }
}
