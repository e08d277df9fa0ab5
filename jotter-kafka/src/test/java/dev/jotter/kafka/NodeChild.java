package dev.jotter.kafka;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

/**
 * One application node, run as a child JVM by {@link NodeLossTest}: a SYNC write-behind cache on
 * the Kafka log, writing into PostgreSQL. It puts increasing values into its own keys and prints
 * {@code A <key> <value>} after each acknowledged put, until its stdin closes; then it flushes,
 * closes and prints {@code CLOSED}.
 *
 * <p>Args: {@code nodeId bootstrapServers topic keys}; system property {@code nodeLoss.jdbcUrl}.
 */
public final class NodeChild {
  private NodeChild() {}

  public static void main(String[] args) throws Exception {
    String node = args[0];
    int keys = Integer.parseInt(args[3]);
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true, StandardCharsets.UTF_8);
    CacheManager manager = Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:node-" + node), NodeChild.class.getClassLoader());
    JotterConfiguration<String, Long> config = new JotterConfiguration<String, Long>()
        .setWriteBehind(WriteBehindConfiguration.builder().log(KafkaSettings.LOG)
            .logSetting(KafkaSettings.BOOTSTRAP_SERVERS, args[1])
            .logSetting(KafkaSettings.TOPIC, args[2])
            .logSetting("consumer.session.timeout.ms", "6000")
            .logSetting("consumer.heartbeat.interval.ms", "500")
            .durability(Durability.SYNC)
            .maxWriteDelay(Duration.ofMillis(5))
            .drainTimeout(Duration.ofSeconds(30))
            .build());
    config.setTypes(String.class, Long.class).setWriteThrough(true)
        .setCacheWriterFactory(new PostgresWriter.WriterFactory());
    Cache<String, Long> cache = manager.createCache("orders", config);
    out.println("READY");
    Thread writer = new Thread(() -> {
      try {
        for (long i = 1; !Thread.currentThread().isInterrupted(); i++) {
          String key = node + "-" + (i % keys);
          cache.put(key, i);
          out.println("A " + key + " " + i);
        }
      } catch (RuntimeException stopped) {
        // interrupted while waiting for Kafka: that put is not acknowledged
      }
    });
    writer.start();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // until the parent closes our stdin
    }
    writer.interrupt();
    writer.join();
    manager.close();
    out.println("CLOSED");
  }
}
