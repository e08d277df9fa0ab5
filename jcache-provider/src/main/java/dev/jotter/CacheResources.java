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
import dev.jotter.management.WriteBehindBean;
import dev.jotter.metrics.WriteBehindEvents;
import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.journal.Journal;
import dev.jotter.configuration.ConfigurationFile;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.DeadLetterHandler;
import dev.jotter.writebehind.WriteBehindBuffer;
import dev.jotter.writebehind.WriteBehind;
import dev.jotter.writebehind.WriteBehindLog;
import dev.jotter.writebehind.WriteBehindLogContext;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.management.ObjectName;
import org.jspecify.annotations.Nullable;

/**
 * What a cache builds from its configuration and must release when it closes: the loader, the writer
 * route, the expiry policy, listeners, statistics, MBeans and the write-behind monitor. Keeping them here keeps
 * {@link JotterCache} about the operations.
 */
final class CacheResources<K, V> {

  /** How long closing waits for running {@code loadAll} calls before it closes the loader. */
  private static final long LOADS_TIMEOUT_SECONDS = 10;
  private static final System.Logger LOG = System.getLogger(CacheResources.class.getName());

  private final String cacheName;
  /** Made by the first {@code loadAll}, null until then; guarded by this. */
  private @Nullable ExecutorService loadPool;
  private final Ticker ticker;
  private final ExpiryCalculator expiry;
  private final EventDispatcher<K, V> dispatcher = new EventDispatcher<>();
  private final JotterStatistics statistics = new JotterStatistics();
  private final Copier copier;
  /** The loader, or null if the configuration has no loader factory. */
  private final @Nullable CacheLoader<K, V> loader;
  /** The writer, or null if the cache does not write through (or behind). */
  private final @Nullable CacheWriter<? super K, ? super V> writer;
  private final WriterRoute<K, V> route;
  private final JotterCacheMXBean configurationBean;
  private final ObjectName configurationName;
  private final ObjectName statisticsName;
  /** Write-behind caches only: the log that keeps their operations; else null. */
  private @Nullable WriteBehind<K, V> writeBehind;
  /** Write-behind caches only: what meters and the write-behind MBean watch; else null. */
  private @Nullable WriteBehindMonitor monitor;
  /** The journal of the cache's own buffer; {@link Journal#none()} without one. */
  private Journal<K, V> journal = Journal.none();
  /** Write-behind caches only, as the monitor: the MBean over it and its name; else null. */
  private final @Nullable WriteBehindBean writeBehindBean;
  private final @Nullable ObjectName writeBehindName;

  CacheResources(URI managerUri, ClassLoader classLoader, String cacheName,
      JotterConfiguration<K, V> configuration) {
    this.cacheName = cacheName;
    this.ticker = configuration.getTickerFactory().create();
    this.expiry = new ExpiryCalculator(configuration.getExpiryPolicyFactory().create(), ticker);
    this.copier = configuration.isStoreByValue()
        ? new SerializationCopier(configuration.getCopyFilter())
        : Copier.identity();
    this.loader = configuration.getCacheLoaderFactory() == null
        ? null : configuration.getCacheLoaderFactory().create();
    this.writer = configuration.isWriteThrough()
        ? configuration.getCacheWriterFactory().create() : null;
    this.route = route(managerUri, cacheName, configuration, classLoader);
    this.configurationBean = new JotterCacheMXBean(configuration);
    this.configurationName = MBeans.name(MBeans.CONFIGURATION, managerUri, cacheName);
    this.statisticsName = MBeans.name(MBeans.STATISTICS, managerUri, cacheName);
    WriteBehindMonitor published = monitor;
    ObjectName beanName = null;
    WriteBehindBean bean = null;
    if (published != null) {
      beanName = MBeans.name(MBeans.WRITE_BEHIND, managerUri, cacheName);
      bean = new WriteBehindBean(published);
    }
    this.writeBehindName = beanName;
    this.writeBehindBean = bean;
    try {
      configuration.getCacheEntryListenerConfigurations().forEach(dispatcher::register);
      statistics.setEnabled(configuration.isStatisticsEnabled());
      exportStatistics(configuration.isStatisticsEnabled());
      exportConfiguration(configuration.isManagementEnabled());
      if (bean != null && beanName != null) {
        // always, unlike the JCache beans: a write-behind cache nobody can watch is a liability
        MBeans.register(bean, beanName);
      }
    } catch (RuntimeException e) {
      // the cache will not exist: release what it holds, its journal's lock first of all
      close();
      throw e;
    }
  }

  /**
   * Chooses the cache's writer route: none, write-through, or write-behind when the configuration
   * (or the {@value WriterRoutes#DEFAULT_WRITE_BEHIND} system property) asks for it.
   */
  private WriterRoute<K, V> route(URI managerUri, String cacheName,
      JotterConfiguration<K, V> configuration, ClassLoader classLoader) {
    if (writer == null) {
      return WriterRoutes.none();
    }
    WriteBehindConfiguration settings = WriterRoutes.writeBehindSettings(configuration);
    if (settings == null) {
      return WriterRoutes.writeThrough(writer);
    }
    DeadLetterHandler<K, V> deadLetters = configuration.getDeadLetterHandlerFactory() == null
        ? DeadLetterHandler.none() : configuration.getDeadLetterHandlerFactory().create();
    WriteBehindEvents events = new WriteBehindEvents(ticker);
    Journal<K, V> journal = Journal.none();
    WriteBehindLog<K, V> log;
    if (settings.log().equals(WriteBehindConfiguration.JOURNAL_LOG)) {
      WriteBehindBuffer.Builder<K, V> buffer =
          WriteBehindBuffer.<K, V>builder(cacheName, settings, writer)
              .deadLetterHandler(deadLetters)
              .listener(events)
              .ticker(ticker);
      if (configuration.getFlushSchedulerFactory() != null) {
        buffer.scheduler(configuration.getFlushSchedulerFactory().create());
      }
      if (settings.durability() != Durability.NONE) {
        journal = Journals.open(cacheName, settings, configuration, classLoader);
        buffer.journal(journal);
      }
      log = new WriteBehindRoute<>(buffer.build());
    } else {
      log = WriterRoutes.logFactory(settings.log(), classLoader).open(new WriteBehindLogContext<>(
          cacheName, managerUri, classLoader, settings, writer,
          Journals.serializer(cacheName, configuration, classLoader), ticker, events, deadLetters));
    }
    this.writeBehind = log;
    this.journal = journal;
    // published before the cache is returned, so JotterMetrics binds it before its first put
    this.monitor = WriteBehindMonitor.publish(managerUri, classLoader, cacheName, settings, log,
        journal, events);
    return log;
  }

  /** The cache's write-behind, or {@code null} if it writes through (or has no writer). */
  @Nullable WriteBehind<K, V> writeBehind() {
    return writeBehind;
  }

  Ticker ticker() {
    return ticker;
  }

  /** The journal of the cache's own buffer, for tests that look at what it made durable. */
  Journal<K, V> journal() {
    return journal;
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

  @Nullable CacheLoader<K, V> loader() {
    return loader;
  }

  WriterRoute<K, V> route() {
    return route;
  }

  /**
   * Runs {@code Cache.loadAll}: daemon threads of this cache, made when the first load comes and
   * stopped when the cache closes (loads already running finish).
   */
  Executor loadExecutor() {
    return task -> {
      ExecutorService pool;
      synchronized (this) {
        if (loadPool == null) {
          AtomicInteger count = new AtomicInteger();
          loadPool = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "jotter-loader-" + cacheName + "-"
                + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });
        }
        pool = loadPool;
      }
      pool.execute(task);
    };
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
    WriteBehindMonitor published = monitor;
    WriteBehindBean bean = writeBehindBean;
    ObjectName beanName = writeBehindName;
    if (published != null && bean != null && beanName != null) { // all three or none
      // after the drain, so that operators watch the lag shrink while the cache closes
      run(() -> MBeans.unregister(bean, beanName));
      run(bean::close);
      run(published::close); // removes the meters
    }
    run(dispatcher::close);
    // a loadAll still running would use the loader after it is closed (and a socket-backed loader
    // would quietly reconnect): let running and queued loads end first, for a bounded time
    run(() -> {
      ExecutorService pool;
      synchronized (this) {
        pool = loadPool;
      }
      if (pool != null) {
        pool.shutdown();
        try {
          if (!pool.awaitTermination(LOADS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LOG.log(Level.WARNING, "Cache '" + cacheName + "' closes its loader while a loadAll "
                + "still runs after " + LOADS_TIMEOUT_SECONDS + " s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
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

  private static void closeIfCloseable(@Nullable Object resource) {
    if (resource instanceof Closeable) {
      try {
        ((Closeable) resource).close();
      } catch (IOException e) {
        LOG.log(Level.WARNING, () -> "Closing " + resource.getClass().getName() + " failed", e);
      }
    }
  }
}
