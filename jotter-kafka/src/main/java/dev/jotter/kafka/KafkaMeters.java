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

  void produced(long nanos) {
    produced.increment();
    produceNanos.add(nanos);
  }
}
