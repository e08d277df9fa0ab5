package dev.jotter.kafka;

import java.util.Map;

/**
 * The Kafka log of one write-behind cache over JMX, registered as
 * {@code javax.cache:type=CacheKafkaLog,CacheManager=<uri>,Cache=<name>} beside the cache's
 * {@code CacheWriteBehind} MBean (which shows pending operations, writer calls, dead letters).
 */
public interface KafkaLogMXBean {

  /**
   * Records of the partitions this node drains that the group has not read yet, per partition.
   *
   * @return partition number to records
   */
  Map<Integer, Long> getPartitionLagRecords();

  /**
   * How long the oldest record not yet committed has waited, per partition this node drains.
   *
   * @return partition number to seconds
   */
  Map<Integer, Double> getPartitionLagSeconds();

  /**
   * The sum of {@link #getPartitionLagRecords()}.
   *
   * @return records
   */
  long getLagRecords();

  /**
   * The largest of {@link #getPartitionLagSeconds()}.
   *
   * @return seconds
   */
  double getLagSeconds();

  /**
   * Records Kafka acknowledged to this node's producer.
   *
   * @return records
   */
  long getProducedRecords();

  /**
   * The mean time from {@code send} to Kafka's acknowledgement.
   *
   * @return milliseconds
   */
  double getProduceLatencyMillis();

  /**
   * Records Kafka refused or never acknowledged.
   *
   * @return records
   */
  long getProduceFailures();

  /**
   * Records this node sent to the dead-letter topic.
   *
   * @return records
   */
  long getDeadLettered();

  /**
   * Partition assignments and revocations of this node's group member.
   *
   * @return events
   */
  long getRebalances();

  /**
   * Records of the topic this node's tail reader has not read yet, over all partitions: how far
   * this node's cache is behind the other nodes' acknowledged writes; -1 with
   * {@code coherence none} or before the tail's first read.
   *
   * @return the records
   */
  long getCoherenceLagRecords();

  /**
   * Other nodes' records applied to this node's cache.
   *
   * @return the count
   */
  long getCoherenceApplied();

  /**
   * Other nodes' records skipped because this node had written the key since (they were older).
   *
   * @return the count
   */
  long getCoherenceSkipped();
}
