package dev.jotter.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

/**
 * One combined KRaft broker and controller in this JVM (Kafka's test kit), for the Kafka
 * benchmarks: RF 1, the offsets topic on 4 partitions, no initial rebalance delay.
 */
final class KafkaKit implements AutoCloseable {

  final KafkaClusterTestKit kit;
  final Admin admin;

  private KafkaKit(KafkaClusterTestKit kit) {
    this.kit = kit;
    this.admin = kit.admin();
  }

  static KafkaKit start() throws Exception {
    // a fatal broker path must not System.exit the benchmark's fork
    Exit.setExitProcedure((status, message) -> {
      throw new IllegalStateException("broker exit " + status + ": " + message);
    });
    Exit.setHaltProcedure((status, message) -> {
      throw new IllegalStateException("broker halt " + status + ": " + message);
    });
    KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
            .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    return new KafkaKit(kit);
  }

  String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /** Creates {@code topic} and its dead-letter topic and waits until the broker knows them. */
  void createTopics(String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1),
        new NewTopic(topic + ".dead-letters", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (String name : List.of(topic, topic + ".dead-letters")) {
      while (!kit.brokers().values().stream().allMatch(b -> b.metadataCache().contains(name))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + name + " unknown to the broker after 30 s");
        }
        Thread.sleep(20);
      }
    }
  }

  @Override
  public void close() throws Exception {
    admin.close();
    kit.close();
  }
}
