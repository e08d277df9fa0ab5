package dev.jotter.kafka;

import dev.jotter.writebehind.WriteBehindLog;
import dev.jotter.writebehind.WriteBehindLogContext;
import dev.jotter.writebehind.WriteBehindLogFactory;

/**
 * The write-behind log named {@value KafkaSettings#LOG}: a cache's pending writes go to a
 * replicated, key-partitioned Kafka topic, and a consumer group that every node of the
 * application joins drains them to the cache's {@code CacheWriter}. Found by
 * {@link java.util.ServiceLoader}; chosen with {@code write-behind.log = kafka}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Acknowledgement: at durability {@code SYNC} a mutation returns after Kafka acknowledged its
 *       record ({@code acks=all}, idempotent producer); if Kafka does not, the mutation throws a
 *       {@code CacheWriterException} and is not acknowledged. At {@code ASYNC} (and {@code NONE})
 *       it returns once the producer accepted the record: a process crash loses what the producer
 *       had not sent yet (at most {@code linger.ms} plus one request, bounded by
 *       {@code delivery.timeout.ms}).
 *   <li>Order: the record's partition follows the serialized key, so one key's mutations from any
 *       node land in one partition, in the order they were acknowledged.
 *   <li>Draining: batches of at most {@code batchSize} records, coalesced per key, written with
 *       {@code writeAll}/{@code deleteAll} (JCache's partial-failure rule), retried with back-off,
 *       a wholly failing batch split to isolate a poison record; what exhausts its retry budget
 *       goes to the dead-letter topic with its cause in headers. Offsets are committed after.
 *       Delivery is at-least-once: writers must upsert.
 *   <li>Dead letters: the dead-letter topic is the truth; every node reads it and serves it as
 *       the cache's {@code deadLetters()} (list, resubmit, discard; superseded by a newer written
 *       record of the key). See {@link KafkaSettings#DEAD_LETTER_TOPIC}.
 *   <li>Node loss: a dead node's partitions move to a surviving member, which writes what the dead
 *       node acknowledged.
 *   <li>Reads: a key this node wrote whose record is not yet behind the group's committed offset
 *       is answered from the node's pending state, a key with a dead letter from its letter;
 *       never from the loader.
 *   <li>Overflow: at most {@code maxPendingOperations} records wait for Kafka's acknowledgement;
 *       beyond that (a broker outage, say) {@code BLOCK} or {@code FAIL} applies.
 *       {@code WRITE_THROUGH} is refused: it would let the writer see a key out of its partition's
 *       order.
 * </ul>
 */
public final class KafkaLogFactory implements WriteBehindLogFactory {

  /** Creates the factory; {@link java.util.ServiceLoader} calls it. */
  public KafkaLogFactory() {}

  @Override
  public String name() {
    return KafkaSettings.LOG;
  }

  @Override
  public <K, V> WriteBehindLog<K, V> open(WriteBehindLogContext<K, V> context) {
    return KafkaWriteBehindLog.open(context);
  }
}
