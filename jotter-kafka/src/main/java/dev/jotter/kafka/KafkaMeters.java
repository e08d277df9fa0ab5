package dev.jotter.kafka;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one Kafka log, read by its statistics. */
final class KafkaMeters {
  final AtomicLong coalesced = new AtomicLong();
  final AtomicLong written = new AtomicLong();
  final AtomicLong writerCalls = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong retried = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong lost = new AtomicLong();
  final AtomicLong overflowEvents = new AtomicLong();
  final AtomicLong produceFailures = new AtomicLong();
  final AtomicLong rebalances = new AtomicLong();
  final LongAdder produced = new LongAdder();
  final LongAdder produceNanos = new LongAdder();

  /** Records not yet read, per partition this node drains. */
  final java.util.concurrent.ConcurrentHashMap<Integer, Long> lagRecords =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** The timestamp (ms) of the oldest record not yet committed, per partition. */
  final java.util.concurrent.ConcurrentHashMap<Integer, Long> oldestUncommitted =
      new java.util.concurrent.ConcurrentHashMap<>();

  double lagSeconds(int partition, long nowMillis) {
    Long since = oldestUncommitted.get(partition);
    return since == null ? 0 : Math.max(0, nowMillis - since) / 1000.0;
  }

  void produced(long nanos) {
    produced.increment();
    produceNanos.add(nanos);
  }
}
