package dev.jotter;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.Ticker;
import dev.jotter.copy.Copier;
import dev.jotter.copy.SerializationCopier;
import dev.jotter.event.EventDispatcher;
import dev.jotter.expiry.ExpiryCalculator;
import dev.jotter.management.JotterCacheMXBean;
import dev.jotter.management.JotterStatistics;
import dev.jotter.management.MBeans;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.DeadLetterHandler;
import dev.jotter.writebehind.DeadLetterQueue;
import dev.jotter.writebehind.WriteBehindBuffer;
import dev.jotter.writebehind.WriteBehindRoute;
import dev.jotter.writer.WriterRoute;
import dev.jotter.writer.WriterRoutes;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.management.ObjectName;

/**
 * What a cache builds from its configuration and must release when it closes: the loader, the writer
 * route, the expiry policy, listeners, statistics and MBeans. Keeping them here keeps
 * {@link JotterCache} about the operations.
 */
final class CacheResources<K, V> {

  /**
   * System property that turns every write-through cache without write-behind settings into a
   * write-behind cache with the default settings: for trying write-behind on an application (and
   * for running the TCK that way) without changing its configuration.
   */
  static final String DEFAULT_WRITE_BEHIND = "jotter.writeBehind.default";

  private static final System.Logger LOG = System.getLogger(CacheResources.class.getName());
  private static final AtomicInteger LOAD_THREADS = new AtomicInteger();
  private static final ExecutorService LOAD_POOL = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "jotter-loader-" + LOAD_THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private final Ticker ticker;
  private final ExpiryCalculator expiry;
  private final EventDispatcher<K, V> dispatcher = new EventDispatcher<>();
  private final JotterStatistics statistics = new JotterStatistics();
  private final Copier copier;
  private final CacheLoader<K, V> loader;
  private final CacheWriter<? super K, ? super V> writer;
  private final WriterRoute<K, V> route;
  private final JotterCacheMXBean configurationBean;
  private final ObjectName configurationName;
  private final ObjectName statisticsName;

  CacheResources(URI managerUri, ClassLoader classLoader, String cacheName,
      JotterConfiguration<K, V> configuration) {
    this.ticker = configuration.getTickerFactory().create();
    this.expiry = new ExpiryCalculator(configuration.getExpiryPolicyFactory().create(), ticker);
    this.copier = configuration.isStoreByValue()
        ? new SerializationCopier(configuration.getCopyFilter())
        : Copier.identity();
    this.loader = configuration.getCacheLoaderFactory() == null
        ? null : configuration.getCacheLoaderFactory().create();
    this.writer = configuration.isWriteThrough()
        ? configuration.getCacheWriterFactory().create() : null;
    this.route = route(cacheName, configuration, classLoader);
    configuration.getCacheEntryListenerConfigurations().forEach(dispatcher::register);
    this.configurationBean = new JotterCacheMXBean(configuration);
    this.configurationName = MBeans.name(MBeans.CONFIGURATION, managerUri, cacheName);
    this.statisticsName = MBeans.name(MBeans.STATISTICS, managerUri, cacheName);
    statistics.setEnabled(configuration.isStatisticsEnabled());
    exportStatistics(configuration.isStatisticsEnabled());
    exportConfiguration(configuration.isManagementEnabled());
  }

  /**
   * Chooses the cache's writer route: none, write-through, or write-behind when the configuration
   * (or the {@value #DEFAULT_WRITE_BEHIND} system property) asks for it.
   */
  private WriterRoute<K, V> route(String cacheName, JotterConfiguration<K, V> configuration,
      ClassLoader classLoader) {
    if (writer == null) {
      return WriterRoutes.none();
    }
    WriteBehindConfiguration settings = configuration.getWriteBehind();
    if (settings == null && Boolean.getBoolean(DEFAULT_WRITE_BEHIND)) {
      settings = WriteBehindConfiguration.builder().build();
    }
    if (settings == null) {
      return WriterRoutes.writeThrough(writer);
    }
    DeadLetterHandler<K, V> deadLetters = configuration.getDeadLetterHandlerFactory() == null
        ? new DeadLetterQueue<>() : configuration.getDeadLetterHandlerFactory().create();
    WriteBehindBuffer.Builder<K, V> buffer = WriteBehindBuffer.<K, V>builder(cacheName, settings, writer)
        .deadLetters(deadLetters)
        .ticker(ticker);
    if (configuration.getFlushSchedulerFactory() != null) {
      buffer.scheduler(configuration.getFlushSchedulerFactory().create());
    }
    if (settings.durability() != Durability.NONE) {
      buffer.journal(Journals.open(cacheName, settings, configuration, classLoader));
    }
    return new WriteBehindRoute<>(buffer.build(), deadLetters);
  }

  Ticker ticker() {
    return ticker;
  }

  ExpiryCalculator expiry() {
    return expiry;
  }

  EventDispatcher<K, V> dispatcher() {
    return dispatcher;
  }

  JotterStatistics statistics() {
    return statistics;
  }

  Copier copier() {
    return copier;
  }

  CacheLoader<K, V> loader() {
    return loader;
  }

  WriterRoute<K, V> route() {
    return route;
  }

  Executor loadExecutor() {
    return LOAD_POOL;
  }

  void exportStatistics(boolean enabled) {
    if (enabled) {
      MBeans.register(statistics, statisticsName);
    } else {
      MBeans.unregister(statistics, statisticsName);
    }
  }

  void exportConfiguration(boolean enabled) {
    if (enabled) {
      MBeans.register(configurationBean, configurationName);
    } else {
      MBeans.unregister(configurationBean, configurationName);
    }
  }

  /** Releases everything; each step runs even if an earlier one fails. */
  void close() {
    run(() -> exportStatistics(false));
    run(() -> exportConfiguration(false));
    run(route::close);
    run(dispatcher::close);
    run(() -> closeIfCloseable(loader));
    run(() -> closeIfCloseable(writer));
    run(() -> closeIfCloseable(expiry.policy()));
  }

  private static void run(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Releasing a cache resource failed", e);
    }
  }

  private static void closeIfCloseable(Object resource) {
    if (resource instanceof Closeable) {
      try {
        ((Closeable) resource).close();
      } catch (IOException e) {
        LOG.log(Level.WARNING, () -> "Closing " + resource.getClass().getName() + " failed", e);
      }
    }
  }
}
