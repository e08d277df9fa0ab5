package dev.jotter.kafka;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The {@link KafkaLogMXBean} of one log. */
final class KafkaLogBean implements KafkaLogMXBean {
  private final KafkaMeters meters;
  private final Supplier<Coherence<?, ?>> coherence;

  KafkaLogBean(KafkaMeters meters, Supplier<Coherence<?, ?>> coherence) {
    this.meters = meters;
    this.coherence = coherence;
  }

  @Override
  public long getCoherenceLagRecords() {
    Coherence<?, ?> tail = coherence.get();
    return tail == null ? -1 : tail.lagRecords();
  }

  @Override
  public long getCoherenceApplied() {
    Coherence<?, ?> tail = coherence.get();
    return tail == null ? 0 : tail.applied.get();
  }

  @Override
  public long getCoherenceSkipped() {
    Coherence<?, ?> tail = coherence.get();
    return tail == null ? 0 : tail.skipped.get();
  }

  @Override
  public Map<Integer, Long> getPartitionLagRecords() {
    return new TreeMap<>(meters.lagRecords);
  }

  @Override
  public Map<Integer, Double> getPartitionLagSeconds() {
    long now = System.currentTimeMillis();
    Map<Integer, Double> seconds = new TreeMap<>();
    meters.lagRecords.keySet().forEach(p -> seconds.put(p, meters.lagSeconds(p, now)));
    return seconds;
  }

  @Override
  public long getLagRecords() {
    return meters.lagRecords.values().stream().mapToLong(v -> Math.max(0, v)).sum();
  }

  @Override
  public double getLagSeconds() {
    return getPartitionLagSeconds().values().stream().mapToDouble(v -> v).max().orElse(0);
  }

  @Override
  public long getProducedRecords() {
    return meters.produced.sum();
  }

  @Override
  public double getProduceLatencyMillis() {
    long n = meters.produced.sum();
    return n == 0 ? 0 : meters.produceNanos.sum() / 1e6 / n;
  }

  @Override
  public long getProduceFailures() {
    return meters.produceFailures.get();
  }

  @Override
  public long getDeadLettered() {
    return meters.deadLettered.get();
  }

  @Override
  public long getRebalances() {
    return meters.rebalances.get();
  }
}
