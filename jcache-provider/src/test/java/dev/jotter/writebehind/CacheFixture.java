package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.spi.CachingProvider;

/**
 * A write-behind Jotter cache built through the public JCache API, whose time, flusher and writer
 * belong to the test: a {@link FakeTicker}, a {@link ManualScheduler} and a {@link RecordingWriter}.
 * Its loader reads the writer's store (the "database"), so a read-through that wrongly asks the
 * loader while a write is pending gets the old database value.
 *
 * <p>JCache configurations take serializable factories; {@link Shared} is one that hands the live
 * fixture objects over by id.
 */
final class CacheFixture implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration HOUR = Duration.ofHours(1);

  private static final Map<String, Object> LIVE = new ConcurrentHashMap<>();
  private static final AtomicInteger IDS = new AtomicInteger();

  /** A serializable factory that returns the live test object registered under its id. */
  static final class Shared<T> implements Factory<T> {
    private static final long serialVersionUID = 1L;
    private final String id;

    private Shared(String id) {
      this.id = id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T create() {
      return (T) Objects.requireNonNull(LIVE.get(id), () -> "test fixture " + id + " is closed");
    }
  }

  /** A loader over the writer's store that counts its calls. */
  final class StoreLoader implements CacheLoader<String, String> {
    @Override
    public String load(String key) {
      loads.incrementAndGet();
      return writer.store.get(key);
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      loads.incrementAndGet();
      Map<String, String> result = new HashMap<>();
      for (String key : keys) {
        String value = writer.store.get(key);
        if (value != null) {
          result.put(key, value);
        }
      }
      return result;
    }
  }

  final String id = "wb-fixture-" + IDS.incrementAndGet();
  final FakeTicker ticker = new FakeTicker();
  final RecordingWriter writer = new RecordingWriter(ticker);
  final AtomicInteger loads = new AtomicInteger();
  final ExecutorService threads = Executors.newCachedThreadPool();
  final ManualScheduler scheduler;
  final WriteBehindConfiguration settings;
  final CachingProvider provider = Caching.getCachingProvider();
  final CacheManager manager;
  final Cache<String, String> cache;
  final JotterCache<String, String> jotter;
  private final List<String> ids;

  /**
   * @param threaded run flusher tasks on real threads (needed by anything that waits for the writer:
   *     flush, close, BLOCK); otherwise they run in {@link ManualScheduler#runDue} on the test thread
   * @param customize changes the cache configuration before the cache is created
   */
  CacheFixture(WriteBehindConfiguration.Builder settings, boolean threaded,
      Consumer<JotterConfiguration<String, String>> customize) {
    this.settings = settings.build();
    this.scheduler = threaded ? new ManualScheduler(ticker, threads) : new ManualScheduler(ticker);
    this.ids = List.of(id + "-writer", id + "-ticker", id + "-scheduler", id + "-loader");
    LIVE.put(ids.get(0), writer);
    LIVE.put(ids.get(1), ticker);
    LIVE.put(ids.get(2), scheduler);
    LIVE.put(ids.get(3), new StoreLoader());
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(this.settings)
        .setTickerFactory(new Shared<>(ids.get(1)))
        .setFlushSchedulerFactory(new Shared<>(ids.get(2)));
    config.setTypes(String.class, String.class)
        .setWriteThrough(true)
        .setCacheWriterFactory(new Shared<>(ids.get(0)))
        .setCacheLoaderFactory(new Shared<>(ids.get(3)))
        .setReadThrough(false);
    customize.accept(config);
    this.manager = provider.getCacheManager(URI.create("jotter:" + id), getClass().getClassLoader());
    this.cache = manager.createCache(id, config);
    @SuppressWarnings("unchecked")
    JotterCache<String, String> unwrapped = cache.unwrap(JotterCache.class);
    this.jotter = unwrapped;
  }

  /** Small batches, no jitter, a long delay (nothing leaves on its own), generous retries. */
  static WriteBehindConfiguration.Builder defaults() {
    return WriteBehindConfiguration.builder()
        .batchSize(3).maxPendingOperations(1_000).maxWriteDelay(HOUR)
        .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1)).jitter(0)
        .maxAttempts(1_000).maxRetryTime(Duration.ofDays(1))
        .blockTimeout(Duration.ofSeconds(1))
        // the threaded tests move the fake clock 100 ms per spin while a close drains: a short
        // drain timeout would expire before the flusher thread has called the writer
        .drainTimeout(Duration.ofDays(365));
  }

  static CacheFixture inline(WriteBehindConfiguration.Builder settings) {
    return new CacheFixture(settings, false, config -> {});
  }

  static CacheFixture threaded(WriteBehindConfiguration.Builder settings) {
    return new CacheFixture(settings, true, config -> {});
  }

  WriteBehindStatistics stats() {
    return jotter.writeBehindStatistics().orElseThrow();
  }

  /** Inline flusher: moves the fake clock until nothing is pending (the writer may fail a while). */
  void drainInline() {
    for (int i = 0; i < 10_000 && stats().pendingOperations() > 0; i++) {
      scheduler.advance(Duration.ofSeconds(1));
    }
    assertTrue(stats().pendingOperations() == 0, "still pending: " + stats());
  }

  /** Threaded flusher: flushes, moving the fake clock so that retry back-offs end. */
  void flushThreaded() {
    CompletableFuture<Void> flushed = CompletableFuture.runAsync(jotter::flush, threads);
    eventually(() -> {
      scheduler.advance(Duration.ofMillis(100));
      return flushed.isDone();
    });
    flushed.join();
  }

  /** Runs {@code action} on another thread, moving the fake clock until it returns. */
  void whileAdvancing(Runnable action) {
    CompletableFuture<Void> done = CompletableFuture.runAsync(action, threads);
    eventually(() -> {
      scheduler.advance(Duration.ofMillis(100));
      return done.isDone();
    });
    done.join();
  }

  /** Waits, with a deadline, for state that flusher threads change. */
  static void eventually(BooleanSupplier condition) {
    dev.jotter.Await.until("condition", condition);
  }

  @Override
  public void close() {
    try {
      if (!cache.isClosed()) {
        // closing drains, which needs the fake clock moved while the writer fails
        writer.failNextCalls.set(0);
        writer.poison = key -> false;
        writer.onCall = call -> {};
        if (scheduler.isClosed()) {
          cache.close();
        } else {
          whileAdvancing(cache::close);
        }
      }
      manager.close();
    } finally {
      ids.forEach(LIVE::remove);
      threads.shutdownNow();
    }
  }
}
