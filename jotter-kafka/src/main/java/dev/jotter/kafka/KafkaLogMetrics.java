package dev.jotter.kafka;

import dev.jotter.JotterCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Optional;
import javax.cache.Cache;

/**
 * Micrometer meters of a cache's Kafka log, beside the cache's write-behind meters: consumer lag
 * per partition in records ({@value #LAG_RECORDS}) and seconds ({@value #LAG_SECONDS}), produce
 * latency ({@value #PRODUCE_LATENCY}, mean), produced and refused records, records sent to the
 * dead-letter topic, rebalances, and the coherence of this node's cache (records its tail reader
 * has not read, other nodes' records applied and skipped). Tagged with {@code cache} (and
 * {@code partition}).
 *
 * <pre>{@code
 * KafkaLogMetrics.of(cache).ifPresent(m -> m.bindTo(registry));
 * }</pre>
 *
 * <p>Partition gauges are those this node drains when {@link #bindTo} is called.
 */
public final class KafkaLogMetrics implements MeterBinder {
  /** Records not yet read, per partition. */
  public static final String LAG_RECORDS = "cache.writebehind.kafka.lag.records";
  /** Age of the oldest uncommitted record, per partition, in seconds. */
  public static final String LAG_SECONDS = "cache.writebehind.kafka.lag.seconds";
  /** Mean milliseconds from send to Kafka's acknowledgement. */
  public static final String PRODUCE_LATENCY = "cache.writebehind.kafka.produce.latency";
  /** Records Kafka acknowledged. */
  public static final String PRODUCED = "cache.writebehind.kafka.produced";
  /** Records Kafka refused or never acknowledged. */
  public static final String PRODUCE_FAILURES = "cache.writebehind.kafka.produce.failures";
  /** Records sent to the dead-letter topic. */
  public static final String DEAD_LETTERED = "cache.writebehind.kafka.dead.lettered";
  /** Partition assignments and revocations. */
  public static final String REBALANCES = "cache.writebehind.kafka.rebalances";
  /** Records of the topic this node's tail reader has not read yet (its cache's lag). */
  public static final String COHERENCE_LAG = "cache.writebehind.kafka.coherence.lag.records";
  /** Other nodes' records applied to this node's cache. */
  public static final String COHERENCE_APPLIED = "cache.writebehind.kafka.coherence.applied";
  /** Other nodes' records skipped as older than this node's own write of the key. */
  public static final String COHERENCE_SKIPPED = "cache.writebehind.kafka.coherence.skipped";

  private final String cacheName;
  private final KafkaLogMXBean figures;

  private KafkaLogMetrics(String cacheName, KafkaLogMXBean figures) {
    this.cacheName = cacheName;
    this.figures = figures;
  }

  /**
   * The meters of a cache whose write-behind log is Kafka.
   *
   * @param cache a Jotter cache
   * @return its Kafka log's meters, or empty if it writes behind to another log or not at all
   */
  public static Optional<KafkaLogMetrics> of(Cache<?, ?> cache) {
    return JotterCache.of(cache).writeBehind()
        .filter(KafkaWriteBehindLog.class::isInstance)
        .map(log -> new KafkaLogMetrics(cache.getName(),
            ((KafkaWriteBehindLog<?, ?>) log).figures()));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Tags tags = Tags.of(Tag.of("cache", cacheName));
    Gauge.builder(LAG_RECORDS, figures, KafkaLogMXBean::getLagRecords).tags(tags)
        .tag("partition", "all").register(registry);
    Gauge.builder(LAG_SECONDS, figures, KafkaLogMXBean::getLagSeconds).tags(tags)
        .tag("partition", "all").baseUnit("seconds").register(registry);
    for (Integer partition : figures.getPartitionLagRecords().keySet()) {
      String p = Integer.toString(partition);
      Gauge.builder(LAG_RECORDS, figures,
              f -> f.getPartitionLagRecords().getOrDefault(partition, 0L))
          .tags(tags).tag("partition", p).register(registry);
      Gauge.builder(LAG_SECONDS, figures,
              f -> f.getPartitionLagSeconds().getOrDefault(partition, 0.0))
          .tags(tags).tag("partition", p).baseUnit("seconds").register(registry);
    }
    Gauge.builder(PRODUCE_LATENCY, figures, KafkaLogMXBean::getProduceLatencyMillis).tags(tags)
        .baseUnit("milliseconds").register(registry);
    FunctionCounter.builder(PRODUCED, figures, KafkaLogMXBean::getProducedRecords).tags(tags)
        .register(registry);
    FunctionCounter.builder(PRODUCE_FAILURES, figures, KafkaLogMXBean::getProduceFailures)
        .tags(tags).register(registry);
    FunctionCounter.builder(DEAD_LETTERED, figures, KafkaLogMXBean::getDeadLettered).tags(tags)
        .register(registry);
    FunctionCounter.builder(REBALANCES, figures, KafkaLogMXBean::getRebalances).tags(tags)
        .register(registry);
    Gauge.builder(COHERENCE_LAG, figures, KafkaLogMXBean::getCoherenceLagRecords).tags(tags)
        .register(registry);
    FunctionCounter.builder(COHERENCE_APPLIED, figures, KafkaLogMXBean::getCoherenceApplied)
        .tags(tags).register(registry);
    FunctionCounter.builder(COHERENCE_SKIPPED, figures, KafkaLogMXBean::getCoherenceSkipped)
        .tags(tags).register(registry);
  }
}
