package dev.jotter.spring;

import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.JvmShutdown;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Drains and closes the context's write-behind caches while the context stops, in a lifecycle
 * phase: after the web server has stopped taking requests (graceful shutdown included) and before
 * Spring destroys any bean, so that
 *
 * <ul>
 *   <li>the writers still have their beans: the {@code DataSource}, the connection pool, the
 *       writer beans themselves (Spring destroys beans only after every lifecycle phase);
 *   <li>what the caches cannot write within their drain timeout is reported (ERROR, with the
 *       keys) while the logging system still runs: Spring Boot shuts logging down after the
 *       context has closed.
 * </ul>
 *
 * <p>Every cache starts draining at once, so the longest drain timeout bounds the wait, not their
 * sum. Jotter's own JVM shutdown hook may have started closing the caches already (on SIGTERM both
 * hooks run at the same time); then this waits until those closes have finished, so that nothing
 * is destroyed under a drain that is still running. Meanwhile Jotter's reports reach the
 * application's log even when the JDK has reset {@code java.util.logging} (see {@code
 * JotterLogForwarding}).
 *
 * <p>A context that is only stopped ({@code ConfigurableApplicationContext.stop()}) and may start
 * again keeps its caches open: they are flushed instead, each within its drain timeout.
 */
public final class WriteBehindShutdown
    implements SmartLifecycle, ApplicationContextAware, ApplicationListener<ContextClosedEvent> {

  private static final Log log = LogFactory.getLog(WriteBehindShutdown.class);
  /** Beyond the longest drain timeout: time for the closing thread to report and let go. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private final WriteBehindCaches caches;
  private final int phase;
  // guarded by itself: what may still drain, the caches Jotter's hook closes included
  private final Map<WriteBehindMonitor, String> tracked = new LinkedHashMap<>();
  private ApplicationContext context;
  private AutoCloseable observation;
  private volatile boolean running;
  private volatile boolean closing;

  /** Closes the caches of {@code caches} in lifecycle phase {@code phase}. */
  public WriteBehindShutdown(WriteBehindCaches caches, int phase) {
    this.caches = Objects.requireNonNull(caches, "caches");
    this.phase = phase;
  }

  @Override
  public void setApplicationContext(ApplicationContext applicationContext) {
    this.context = applicationContext;
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    // published before the lifecycle stops; a child context's event reaches its parent too
    if (event.getApplicationContext() == context) {
      closing = true;
    }
  }

  @Override
  public void start() {
    synchronized (tracked) {
      if (observation == null) {
        observation = caches.observe((manager, monitor) -> {
          synchronized (tracked) {
            tracked.put(monitor, manager);
          }
          monitor.onClose(() -> {
            // a cache closed while the JVM or the context shuts down stays, for the summary
            if (!closing && !JvmShutdown.inProgress()) {
              synchronized (tracked) {
                tracked.remove(monitor);
              }
            }
          });
        });
      }
    }
    running = true;
  }

  @Override
  public void stop() {
    try {
      if (closing) {
        drainAndClose();
      } else {
        flush();
      }
    } finally {
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return phase;
  }

  private void flush() {
    for (WriteBehindCache cache : caches.list()) {
      FlushResult result = cache.flush(cache.drainTimeout());
      if (!result.completed()) {
        log.warn("Write-behind cache '" + cache.name() + "' of cache manager '"
            + cache.cacheManager() + "' did not flush within " + cache.drainTimeout()
            + " while the application context stopped: " + result.pending()
            + " operations still pending (the cache stays open)");
      }
    }
  }

  private void drainAndClose() {
    List<WriteBehindCache> open = caches.list();
    Map<WriteBehindMonitor, String> draining;
    synchronized (tracked) {
      for (WriteBehindCache cache : open) {
        tracked.putIfAbsent(cache.monitor(), cache.cacheManager());
      }
      draining = new LinkedHashMap<>(tracked);
      closeObservation();
    }
    if (draining.isEmpty()) {
      return;
    }
    try (AutoCloseable forwarding = JotterLogForwarding.startIfReset()) {
      drainAndClose(open, draining);
    } catch (Exception e) {
      log.warn("Closing the write-behind caches failed", e);
    }
  }

  private void drainAndClose(List<WriteBehindCache> open, Map<WriteBehindMonitor, String> draining) {
    Duration longest = Duration.ZERO;
    List<String> names = new ArrayList<>();
    for (WriteBehindCache cache : open) {
      longest = max(longest, cache.drainTimeout());
      names.add(cache.cacheManager() + "/" + cache.name() + " (" + cache.statistics()
          .pendingOperations() + " pending, drain timeout " + cache.drainTimeout() + ")");
    }
    log.info("Closing " + draining.size() + " write-behind caches before the application context"
        + " closes its beans" + (names.isEmpty() ? "" : ": " + String.join(", ", names)));
    long start = System.nanoTime();
    // all at once: the longest drain timeout bounds the shutdown, not their sum
    Map<WriteBehindMonitor, CountDownLatch> closed = new LinkedHashMap<>();
    for (WriteBehindMonitor monitor : draining.keySet()) {
      CountDownLatch latch = new CountDownLatch(1);
      monitor.onClose(latch::countDown);
      closed.put(monitor, latch);
      if (!monitor.isClosed()) {
        monitor.beginDrain();
      }
    }
    for (WriteBehindCache cache : open) {
      try {
        cache.cache().close(); // waits for the drain and reports what is left
      } catch (RuntimeException e) {
        log.warn("Closing write-behind cache '" + cache.name() + "' failed", e);
      }
    }
    // caches that another thread (Jotter's JVM shutdown hook) is closing: wait for their report
    long deadline = start + max(longest, Duration.ofSeconds(30)).plus(GRACE).toNanos();
    List<String> summary = new ArrayList<>();
    long lost = 0;
    for (Map.Entry<WriteBehindMonitor, CountDownLatch> entry : closed.entrySet()) {
      WriteBehindMonitor monitor = entry.getKey();
      boolean done = await(entry.getValue(), deadline);
      WriteBehindStatistics stats = monitor.statistics();
      lost += stats.lost();
      StringBuilder line = new StringBuilder(draining.get(monitor)).append('/')
          .append(monitor.cacheName()).append(": ");
      if (!done) {
        line.append("still closing, ");
      }
      line.append(stats.written()).append(" written, ").append(stats.lost()).append(" lost");
      if (stats.lost() > 0) {
        List<String> letters = new ArrayList<>();
        for (DeadLetter<?, ?> letter : monitor.deadLetters().list(0, 20)) {
          letters.add(String.valueOf(letter.key()));
        }
        if (!letters.isEmpty()) {
          line.append(" (dead letters among them: keys ").append(letters).append(')');
        }
      }
      summary.add(line.toString());
    }
    String text = "Write-behind caches closed in "
        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms: "
        + String.join("; ", summary);
    if (lost > 0) {
      log.error(text + ". Jotter's report above names every lost key (on standard error too)");
    } else {
      log.info(text);
    }
  }

  private void closeObservation() {
    if (observation != null) {
      try {
        observation.close();
      } catch (Exception e) {
        log.debug("Stopping the observation of write-behind caches failed", e);
      }
      observation = null;
    }
  }

  private static boolean await(CountDownLatch latch, long deadline) {
    try {
      return latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return latch.getCount() == 0;
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
