package dev.jotter.metrics;

import dev.jotter.configuration.FakeTicker;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A writer into a static table that fails its next {@link #FAIL_NEXT} calls; static because JCache
 * builds writers from factories. Tests using it reset it first. No Micrometer here: the
 * no-Micrometer run uses it too.
 */
public final class TableWriter implements CacheWriter<String, String> {
  public static final Map<String, String> TABLE = new ConcurrentHashMap<>();
  public static final AtomicInteger FAIL_NEXT = new AtomicInteger();

  public static void reset() {
    TABLE.clear();
    FAIL_NEXT.set(0);
  }

  /**
   * A write-behind configuration on {@code ticker} whose batches leave only on flush (the delay is
   * an hour of a clock that does not move by itself), one attempt unless told otherwise.
   */
  public static JotterConfiguration<String, String> writeBehind(FakeTicker ticker,
      WriteBehindConfiguration.Builder settings) {
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings.build());
    config.setTickerFactory(ticker.factory());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(TableWriter.class))
        .setStatisticsEnabled(true);
    return config;
  }

  /** Settings whose batches wait for flush: long delay, large batches, no jitter. */
  public static WriteBehindConfiguration.Builder onFlushOnly() {
    return WriteBehindConfiguration.builder().batchSize(100).maxWriteDelay(Duration.ofHours(1))
        .maxAttempts(1).jitter(0).initialBackoff(Duration.ofMillis(1));
  }

  /** Waits, with a deadline, for state that flusher threads change. */
  public static void eventually(BooleanSupplier condition) {
    dev.jotter.Await.until("condition", condition);
  }

  @Override
  public void write(Cache.Entry<? extends String, ? extends String> entry) {
    failIfAsked();
    TABLE.put(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    failIfAsked();
    entries.forEach(e -> TABLE.put(e.getKey(), e.getValue()));
    entries.clear();
  }

  @Override
  public void delete(Object key) {
    failIfAsked();
    TABLE.remove(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    failIfAsked();
    keys.forEach(TABLE::remove);
    keys.clear();
  }

  private static void failIfAsked() {
    if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new CacheWriterException("database unavailable");
    }
  }
}
