package dev.jotter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.FakeTicker;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.spi.JotterCachingProvider;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindMetricsTest {

  private static final String MANAGER = "test:WriteBehindMetricsTest";

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create(MANAGER), getClass().getClassLoader());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeTicker ticker = new FakeTicker();

  @BeforeEach
  void resetWriter() {
    TableWriter.reset();
  }

  @AfterEach
  void close() {
    provider.close();
  }

  private Cache<String, String> cache(String name, JotterConfiguration<String, String> config) {
    return manager.createCache(name, config);
  }

  private static boolean flush(Cache<String, String> cache) {
    return cache.unwrap(JotterCache.class).flush(Duration.ofSeconds(10)).completed();
  }

  private double counter(String name, String cache) {
    return registry.get(name).tag("cache", cache).functionCounter().count();
  }

  private Timer writerTimer(String cache, String outcome) {
    return registry.get(WriteBehindMetrics.WRITER_CALLS).tag("cache", cache)
        .tag("outcome", outcome).timer();
  }

  @Test
  void metersShowRealFiguresWithNamesTagsAndBaseUnits() {
    Cache<String, String> cache = cache("orders",
        TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
    WriteBehindMetrics.monitor(registry, cache, "region", "eu");

    cache.put("a", "1");
    cache.put("a", "2"); // coalesces
    cache.put("b", "1");
    ticker.advance(Duration.ofMillis(2_500));

    var pending = registry.get(WriteBehindMetrics.PENDING)
        .tags("cache", "orders", "cache.manager", MANAGER, "region", "eu").gauge();
    assertEquals(2, pending.value());
    assertEquals("operations", pending.getId().getBaseUnit());
    var lag = registry.get(WriteBehindMetrics.LAG).tag("cache", "orders").timeGauge();
    assertEquals(2.5, lag.value(TimeUnit.SECONDS), 1e-9);
    assertEquals("seconds", lag.getId().getBaseUnit());
    assertEquals(1, counter(WriteBehindMetrics.COALESCED, "orders"));

    ticker.advance(Duration.ofMillis(40)); // the writer call takes no fake time: latency 0
    assertTrue(flush(cache));

    assertEquals(0, pending.value());
    assertEquals(0, lag.value(TimeUnit.SECONDS));
    assertEquals(2, counter(WriteBehindMetrics.WRITTEN, "orders"));
    // the database sync delay: a and b were acknowledged 2.54 s before the writer confirmed them
    Timer syncDelay = registry.get(WriteBehindMetrics.SYNC_DELAY).tag("cache", "orders").timer();
    assertEquals(2, syncDelay.count());
    assertEquals(2.54, syncDelay.max(TimeUnit.SECONDS), 1e-9);
    SyncDelays.Snapshot recent = WriteBehindMonitor.of(cache).orElseThrow().syncDelay();
    assertEquals(2, recent.count());
    assertTrue(recent.median().toMillis() >= 2_540 && recent.median().toMillis() <= 2_540 * 1.2,
        recent.toString());
    assertEquals(0, registry.get(WriteBehindMetrics.DEAD_LETTERS).tag("cache", "orders").gauge()
        .value());
    var batches = registry.get(WriteBehindMetrics.BATCH_SIZE).tag("cache", "orders").summary();
    assertEquals(1, batches.count());
    assertEquals(2, batches.totalAmount());
    assertEquals("operations", batches.getId().getBaseUnit());
    assertEquals(1, writerTimer("orders", "success").count());
    assertEquals(0, writerTimer("orders", "failure").count());
    assertEquals(0, writerTimer("orders", "partial_failure").count());
    for (String name : new String[] {WriteBehindMetrics.RETRIED, WriteBehindMetrics.FAILED,
        WriteBehindMetrics.DEAD_LETTERED, WriteBehindMetrics.LOST}) {
      assertEquals(0, counter(name, "orders"), name);
    }
    FunctionCounter overflows = registry.get(WriteBehindMetrics.OVERFLOWS)
        .tags("cache", "orders", "policy", "block").functionCounter();
    assertEquals(0, overflows.count());
    assertNull(registry.find(WriteBehindMetrics.JOURNAL_SYNCS).meter(), "no journal, no meter");
  }

  @Test
  void failuresRetriesAndDeadLettersAreCountedAndTimedByOutcome() {
    Cache<String, String> cache = cache("failing",
        TableWriter.writeBehind(ticker, TableWriter.onFlushOnly().maxAttempts(2)));
    WriteBehindMetrics.monitor(registry, cache);
    WriteBehindMonitor monitor = WriteBehindMonitor.of(cache).orElseThrow();

    TableWriter.FAIL_NEXT.set(1);
    cache.put("a", "1");
    monitor.flush(Duration.ZERO); // sends the batch now; the fake clock never times out a wait
    TableWriter.eventually(() -> monitor.statistics().retried() == 1);
    ticker.advance(Duration.ofMinutes(1)); // past the back-off
    assertTrue(flush(cache));
    assertEquals(1, counter(WriteBehindMetrics.FAILED, "failing"));
    assertEquals(1, counter(WriteBehindMetrics.RETRIED, "failing"));
    assertEquals(1, counter(WriteBehindMetrics.WRITTEN, "failing"));
    assertEquals(1, writerTimer("failing", "failure").count());
    assertEquals(1, writerTimer("failing", "success").count());

    TableWriter.FAIL_NEXT.set(2);
    cache.put("b", "1");
    monitor.flush(Duration.ZERO);
    TableWriter.eventually(() -> monitor.statistics().retried() == 2);
    ticker.advance(Duration.ofMinutes(1));
    assertTrue(flush(cache)); // the second attempt fails too: dead-lettered
    assertEquals(1, counter(WriteBehindMetrics.DEAD_LETTERED, "failing"));
    assertEquals(3, counter(WriteBehindMetrics.FAILED, "failing"));
    assertEquals(3, writerTimer("failing", "failure").count());
  }

  @Test
  void overflowEventsAreTaggedWithThePolicy() {
    Cache<String, String> cache = cache("full", TableWriter.writeBehind(ticker,
        TableWriter.onFlushOnly().maxPendingOperations(100).maxAttempts(10)
            .overflowPolicy(OverflowPolicy.FAIL)));
    WriteBehindMetrics.monitor(registry, cache);
    WriteBehindMonitor monitor = WriteBehindMonitor.of(cache).orElseThrow();
    TableWriter.FAIL_NEXT.set(Integer.MAX_VALUE); // the database is down: nothing leaves the buffer
    for (int i = 0; i < 100; i++) {
      cache.put("k" + i, "v");
    }
    assertThrows(CacheWriterException.class, () -> cache.put("one-too-many", "v"));
    assertEquals(1, registry.get(WriteBehindMetrics.OVERFLOWS)
        .tags("cache", "full", "policy", "fail").functionCounter().count());

    // the full batch left with the 100th put; its failure must be accounted (a retry time on the
    // fake clock) before the clock moves, or the retry would wait for a clock that never moves again
    TableWriter.eventually(() -> monitor.statistics().retried() == 100);
    TableWriter.FAIL_NEXT.set(0);
    ticker.advance(Duration.ofHours(1));
    assertTrue(monitor.flush(Duration.ofSeconds(10)).completed());
    assertEquals(100, counter(WriteBehindMetrics.WRITTEN, "full"));
  }

  @Test
  void journaledCachesCountJournalSyncsAndRecoveries(@TempDir Path journals) {
    Cache<String, String> cache = cache("durable", TableWriter.writeBehind(ticker,
        TableWriter.onFlushOnly().durability(Durability.SYNC).journalDirectory(journals)));
    WriteBehindMetrics.monitor(registry, cache);
    cache.put("a", "1"); // a SYNC put returns after the fsync
    assertTrue(counter(WriteBehindMetrics.JOURNAL_SYNCS, "durable") >= 1);
    assertEquals(0, counter(WriteBehindMetrics.JOURNAL_RECOVERIES, "durable"));
    assertEquals("syncs",
        registry.get(WriteBehindMetrics.JOURNAL_SYNCS).meter().getId().getBaseUnit());
  }

  @Test
  void metersAreRemovedWhenTheCacheCloses() {
    Cache<String, String> cache = cache("closing",
        TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
    WriteBehindMetrics.monitor(registry, cache);
    assertNotNull(registry.find(WriteBehindMetrics.PENDING).tag("cache", "closing").gauge());
    cache.close();
    assertTrue(registry.getMeters().isEmpty(), () -> "left: " + names());
    assertTrue(WriteBehindMonitor.of(cache).isEmpty());
  }

  @Test
  void metersAreRemovedWhenTheCacheIsDestroyed() {
    Cache<String, String> cache = cache("destroyed",
        TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
    WriteBehindMetrics.monitor(registry, cache);
    cache.put("a", "1");
    manager.destroyCache("destroyed");
    assertTrue(registry.getMeters().isEmpty(), () -> "left: " + names());
  }

  @Test
  void jotterMetricsBindsCurrentAndFutureCachesUntilClosed() {
    cache("before", TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
    JotterMetrics binding = JotterMetrics.bindTo(registry, "app", "shop");
    Cache<String, String> after =
        cache("after", TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
    after.put("x", "1");
    assertEquals(0, registry.get(WriteBehindMetrics.PENDING).tag("cache", "before").gauge().value());
    assertEquals(1, registry.get(WriteBehindMetrics.PENDING).tags("cache", "after", "app", "shop")
        .gauge().value());

    manager.destroyCache("after");
    assertNull(registry.find(WriteBehindMetrics.PENDING).tag("cache", "after").gauge());
    assertNotNull(registry.find(WriteBehindMetrics.PENDING).tag("cache", "before").gauge());

    binding.close();
    assertTrue(registry.getMeters().isEmpty(), () -> "left: " + names());
    cache("later", TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
    assertTrue(registry.getMeters().isEmpty(), "a closed binder binds nothing new");
  }

  @Test
  void monitorRefusesCachesThatAreNotWriteBehind() {
    var config = new JotterConfiguration<String, String>();
    config.setTypes(String.class, String.class);
    Cache<String, String> plain = cache("plain", config);
    assertThrows(IllegalArgumentException.class, () -> WriteBehindMetrics.monitor(registry, plain));
  }

  private String names() {
    return registry.getMeters().stream().map(Meter::getId).map(Object::toString).toList()
        .toString();
  }
}
