package dev.jotter.spring;

import dev.jotter.metrics.WriteBehindMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Binds Jotter's write-behind meters ({@code cache.writebehind.*}, see {@link WriteBehindMetrics})
 * of the context's write-behind caches, the ones created later included, tagged {@code cache} (the
 * cache's name) and {@code cache.manager}: the cache manager's bean name, as Spring Boot tags its
 * own cache meters ({@code cache.gets}, ...), and not the manager's URI, which names the
 * configuration file's place and so changes with every deployment path.
 *
 * <p>Spring Boot binds every {@link MeterBinder} bean to its registry; the meters of a cache leave
 * the registry when the cache closes, all of them when this binder is closed.
 */
public final class WriteBehindMeterBinder implements MeterBinder, AutoCloseable {

  private final WriteBehindCaches caches;
  // guarded by this
  private final List<AutoCloseable> observations = new ArrayList<>();
  private final List<WriteBehindMetrics> bound = new ArrayList<>();
  private boolean closed;

  /** Binds the meters of the caches of {@code caches}. */
  public WriteBehindMeterBinder(WriteBehindCaches caches) {
    this.caches = Objects.requireNonNull(caches, "caches");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    AutoCloseable observation = caches.observe((manager, monitor) -> {
      WriteBehindMetrics metrics = new WriteBehindMetrics(monitor, Tags.of("cache.manager", manager));
      synchronized (this) {
        if (closed) {
          return;
        }
        bound.add(metrics);
        metrics.bindTo(registry);
      }
      // the meters leave the registry when the cache closes; forget them then
      monitor.onClose(() -> {
        synchronized (this) {
          bound.remove(metrics);
        }
      });
    });
    synchronized (this) {
      observations.add(observation);
    }
  }

  /** Stops binding and removes the meters it bound. */
  @Override
  public void close() throws Exception {
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
      observation.close();
    }
    removing.forEach(WriteBehindMetrics::close);
  }
}
