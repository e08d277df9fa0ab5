package dev.jotter.spring;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.metrics.SyncDelays;
import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.util.Objects;
import javax.cache.Cache;

/**
 * One open write-behind cache of the application context: its cache manager's name (the bean name,
 * as Spring's own cache meters and the {@code caches} endpoint name it), its name, and what
 * operators can watch and do through Jotter's {@link WriteBehindMonitor}.
 *
 * <p>Immutable; its figures are read live.
 */
public final class WriteBehindCache {

  private final String cacheManager;
  private final Cache<?, ?> cache;
  private final WriteBehindMonitor monitor;

  WriteBehindCache(String cacheManager, Cache<?, ?> cache, WriteBehindMonitor monitor) {
    this.cacheManager = Objects.requireNonNull(cacheManager, "cacheManager");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.monitor = Objects.requireNonNull(monitor, "monitor");
  }

  /** The name of the cache manager: its Spring bean name, as in the {@code cache.manager} tag. */
  public String cacheManager() {
    return cacheManager;
  }

  /** The cache's name. */
  public String name() {
    return cache.getName();
  }

  /** The JCache cache. */
  public Cache<?, ?> cache() {
    return cache;
  }

  /** Jotter's view of the cache's write-behind. */
  public WriteBehindMonitor monitor() {
    return monitor;
  }

  /** Pending operations, lag, counters. */
  public WriteBehindStatistics statistics() {
    return monitor.statistics();
  }

  /** The recent database sync delay (acknowledgement to the writer's confirmation). */
  public SyncDelays.Snapshot syncDelay() {
    return monitor.syncDelay();
  }

  /** The cache's dead letters. */
  public DeadLetters<?, ?> deadLetters() {
    return monitor.deadLetters();
  }

  /** Waits at most {@code timeout} for everything acknowledged so far to be written. */
  public FlushResult flush(Duration timeout) {
    return monitor.flush(timeout);
  }

  /** How long closing the cache waits for its buffer to drain. */
  public Duration drainTimeout() {
    return drainTimeout(cache);
  }

  static Duration drainTimeout(Cache<?, ?> cache) {
    try {
      @SuppressWarnings("unchecked")
      WriteBehindConfiguration settings =
          cache.getConfiguration(JotterConfiguration.class).getWriteBehind();
      if (settings != null) {
        return settings.drainTimeout();
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      // not a Jotter configuration, or closed: the builder's default below
    }
    // write-behind from the jotter.writeBehind.default system property: the builder's default
    return WriteBehindConfiguration.builder().build().drainTimeout();
  }

  @Override
  public String toString() {
    return "WriteBehindCache[" + cacheManager + "/" + name() + "]";
  }
}
