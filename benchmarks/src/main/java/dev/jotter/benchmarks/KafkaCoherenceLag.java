package dev.jotter.benchmarks;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.kafka.KafkaSettings;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Harness (not JMH: it measures single events' latencies, not a rate): the coherence lag of the
 * Kafka log, from a {@code SYNC} put's return on node a until node b's {@code get} returns the
 * value, and the database window, from the same put's return until the drain handed it to the
 * writer. Two cache managers in one JVM stand for the nodes; one KRaft node in the JVM; 12
 * partitions; sequential puts of distinct keys (one in flight at a time), so each figure is the
 * path's latency without queueing.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.jotter.benchmarks.KafkaCoherenceLag [puts]
 * }</pre>
 */
public final class KafkaCoherenceLag {
  private KafkaCoherenceLag() {}

  static final Map<String, Long> WRITTEN = new ConcurrentHashMap<>();

  /** Records when each key reached the writer. */
  static final class StampWriter implements CacheWriter<String, String> {
    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      WRITTEN.putIfAbsent(entry.getKey(), System.nanoTime());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      long now = System.nanoTime();
      entries.forEach(e -> WRITTEN.putIfAbsent(e.getKey(), now));
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }

  static final class StampWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheWriter<String, String> create() {
      return new StampWriter();
    }
  }

  public static void main(String[] args) throws Exception {
    int puts = args.length > 0 ? Integer.parseInt(args[0]) : 3_000;
    try (KafkaKit kafka = KafkaKit.start()) {
      String topic = "coherence-lag";
      kafka.createTopics(topic, 12);
      Cache<String, String> a = node(kafka, topic, "a");
      Cache<String, String> b = node(kafka, topic, "b");
      int warmup = Math.min(500, puts / 5);
      long[] lag = new long[puts];
      long[] acked = new long[puts];
      for (int i = 0; i < warmup + puts; i++) {
        String key = "k" + i;
        String value = "v" + i;
        a.put(key, value);
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(30).toNanos();
        while (!value.equals(b.get(key))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node b never read " + key);
          }
          LockSupport.parkNanos(10_000);
        }
        if (i >= warmup) {
          lag[i - warmup] = System.nanoTime() - start;
          acked[i - warmup] = start;
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (WRITTEN.size() < warmup + puts && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
      }
      long[] window = new long[puts];
      for (int i = 0; i < puts; i++) {
        Long written = WRITTEN.get("k" + (i + warmup));
        window[i] = written == null ? Long.MAX_VALUE : Math.max(0, written - acked[i]);
      }
      System.out.println("KafkaCoherenceLag: " + puts + " SYNC puts on node a (after " + warmup
          + " warm-up), 12 partitions, 1 KRaft node in the JVM, "
          + Runtime.getRuntime().availableProcessors() + " cores");
      print("coherence lag (a's put returned -> b's get returns it)", lag);
      print("database window (a's put returned -> the drain's writer has it)", window);
      a.getCacheManager().close();
      b.getCacheManager().close();
    }
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", what,
        sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  private static Cache<String, String> node(KafkaKit kafka, String topic, String name) {
    CacheManager manager = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider")
        .getCacheManager(
        URI.create("jotter:coherence-lag-" + name), KafkaCoherenceLag.class.getClassLoader());
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
            .logSetting(KafkaSettings.TOPIC, topic)
            .logSetting(KafkaSettings.COHERENCE, "update")
            .durability(Durability.SYNC)
            .maxWriteDelay(Duration.ofMillis(5))
            .build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(new StampWriterFactory());
    return manager.createCache("orders", config);
  }
}
