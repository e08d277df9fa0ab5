package dev.jotter.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the write-behind meters ({@link WriteBehindMetrics}) of every write-behind Jotter cache in
 * the JVM to a registry: the caches open now and every one created later, including caches that a
 * declarative configuration file or a framework creates. Each cache's meters leave the registry
 * when the cache closes or is destroyed; {@link #close()} removes them all and stops binding.
 *
 * <pre>{@code
 * JotterMetrics.bindTo(registry);                       // at startup, once per registry
 * }</pre>
 *
 * <p>Why a binder and not a configuration setting: {@code JotterConfiguration} must load without
 * Micrometer and is serializable, so it cannot hold a {@code MeterRegistry}; and caches created
 * by frameworks or configuration files never pass through application code that could set one.
 * One call at startup covers them all. In Spring Boot, declare it as a {@code MeterBinder} bean.
 *
 * <p>The standard JCache statistics are Micrometer's {@code JCacheMetrics}' business, not this
 * binder's: they read the {@code javax.cache:type=CacheStatistics} MBeans Jotter exports.
 */
public final class JotterMetrics implements MeterBinder, AutoCloseable {

  private final Tags tags;
  // guarded by this
  private final List<AutoCloseable> observations = new ArrayList<>();
  private final List<WriteBehindMetrics> bound = new ArrayList<>();
  private boolean closed;

  /** A binder that tags meters with the cache and manager names only. */
  public JotterMetrics() {
    this(Tags.empty());
  }

  /**
   * A binder that adds {@code tags} to every meter.
   *
   * @param tags added to every meter
   */
  public JotterMetrics(Iterable<Tag> tags) {
    this.tags = Tags.of(requireNonNull(tags, "tags"));
  }

  /**
   * Binds every current and future write-behind Jotter cache to {@code registry}.
   *
   * @param registry where the meters go
   * @param tags key-value pairs added to every meter
   * @return the binder; close it to remove the meters and stop binding
   */
  public static JotterMetrics bindTo(MeterRegistry registry, String... tags) {
    JotterMetrics metrics = new JotterMetrics(Tags.of(tags));
    metrics.bindTo(registry);
    return metrics;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("JotterMetrics is closed");
      }
    }
    AutoCloseable observation = WriteBehindMonitor.observe(monitor -> {
      WriteBehindMetrics metrics = new WriteBehindMetrics(monitor, tags);
      synchronized (this) { // registering under the lock, so that close() cannot miss it
        if (!closed) {
          bound.removeIf(WriteBehindMetrics::isCacheClosed);
          bound.add(metrics);
          metrics.bindTo(registry);
        }
      }
    });
    synchronized (this) {
      observations.add(observation);
    }
  }

  /** Stops binding new caches and removes the meters this binder registered. */
  @Override
  public void close() {
    List<AutoCloseable> stopping;
    List<WriteBehindMetrics> removing;
    synchronized (this) {
      closed = true;
      stopping = List.copyOf(observations);
      removing = List.copyOf(bound);
      observations.clear();
      bound.clear();
    }
    for (AutoCloseable observation : stopping) {
      try {
        observation.close();
      } catch (Exception e) {
        throw new IllegalStateException(e); // the handles of WriteBehindMonitor do not throw
      }
    }
    removing.forEach(WriteBehindMetrics::close);
  }
}
