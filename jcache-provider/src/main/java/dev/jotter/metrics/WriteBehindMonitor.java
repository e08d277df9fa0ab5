package dev.jotter.metrics;

import static java.util.Objects.requireNonNull;

import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.FileJournal;
import dev.jotter.journal.Journal;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.WriteBehindLog;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.jspecify.annotations.Nullable;

/**
 * What operators can watch and do on one write-behind cache, without Micrometer: the buffer's
 * counters, the journal's, the writer-call events, {@code flush} and the resubmission of dead
 * letters. The Micrometer meters ({@link WriteBehindMetrics}) and the JMX bean
 * ({@link dev.jotter.management.WriteBehindBean}) both read it.
 *
 * <p>Every open write-behind cache of the JVM has one monitor, published when the cache is
 * created and closed when the cache closes or is destroyed. {@link #observe} sees the current and
 * future ones, which is how {@link JotterMetrics} binds caches that frameworks create; closing a
 * monitor runs its {@linkplain #onClose close actions}, which is how meters are removed.
 *
 * <p>Thread-safe.
 */
public final class WriteBehindMonitor {

  // guarded by itself; a handful of caches per JVM, so lists and linear scans
  private static final List<WriteBehindMonitor> LIVE = new ArrayList<>();
  private static final List<Consumer<WriteBehindMonitor>> OBSERVERS = new ArrayList<>();

  private final URI managerUri;
  // weak, like the manager's: a monitor must not pin an undeployed application's class loader
  private final WeakReference<ClassLoader> classLoader;
  private final String cacheName;
  private final OverflowPolicy overflowPolicy;
  private final WriteBehindLog<?, ?> buffer;
  /** The cache's file journal, or {@code null} if it keeps none. */
  private final @Nullable FileJournal<?, ?> journal;
  private final WriteBehindEvents events;
  // guarded by this
  private final List<Runnable> closeActions = new ArrayList<>();
  private boolean closed;

  private WriteBehindMonitor(URI managerUri, ClassLoader classLoader, String cacheName,
      WriteBehindConfiguration settings, WriteBehindLog<?, ?> buffer, Journal<?, ?> journal,
      WriteBehindEvents events) {
    this.managerUri = requireNonNull(managerUri, "managerUri");
    this.classLoader = new WeakReference<>(requireNonNull(classLoader, "classLoader"));
    this.cacheName = requireNonNull(cacheName, "cacheName");
    this.overflowPolicy = settings.overflowPolicy();
    this.buffer = requireNonNull(buffer, "buffer");
    this.journal = (journal instanceof FileJournal) ? (FileJournal<?, ?>) journal : null;
    this.events = requireNonNull(events, "events");
  }

  /**
   * Creates the monitor of a new cache and shows it to the observers. Called by the cache's
   * resources; not meant for applications.
   *
   * @param events the listener {@code buffer} was built with
   * @param journal the buffer's journal, {@link Journal#none()} if it has none
   */
  public static WriteBehindMonitor publish(URI managerUri, ClassLoader classLoader,
      String cacheName, WriteBehindConfiguration settings, WriteBehindLog<?, ?> buffer,
      Journal<?, ?> journal, WriteBehindEvents events) {
    WriteBehindMonitor monitor = new WriteBehindMonitor(managerUri, classLoader, cacheName,
        settings, buffer, journal, events);
    List<Consumer<WriteBehindMonitor>> observers;
    synchronized (LIVE) {
      LIVE.add(monitor);
      observers = List.copyOf(OBSERVERS);
    }
    observers.forEach(observer -> observer.accept(monitor));
    return monitor;
  }

  /**
   * Calls {@code observer} with every open write-behind cache's monitor, now and whenever a new
   * one is created, until the returned handle is closed.
   */
  public static AutoCloseable observe(Consumer<WriteBehindMonitor> observer) {
    requireNonNull(observer, "observer");
    List<WriteBehindMonitor> current;
    synchronized (LIVE) {
      OBSERVERS.add(observer);
      current = List.copyOf(LIVE);
    }
    // a cache published after the copy is shown by publish(), which sees this observer
    current.forEach(observer);
    return () -> {
      synchronized (LIVE) {
        OBSERVERS.remove(observer);
      }
    };
  }

  /** Returns the monitors of the open write-behind caches. */
  public static List<WriteBehindMonitor> live() {
    synchronized (LIVE) {
      return List.copyOf(LIVE);
    }
  }

  /**
   * Returns the monitor of a cache, or empty if the cache is closed or not a write-behind Jotter
   * cache.
   */
  public static Optional<WriteBehindMonitor> of(Cache<?, ?> cache) {
    if (cache.isClosed()) {
      return Optional.empty();
    }
    CacheManager manager = cache.getCacheManager();
    URI uri = manager.getURI();
    ClassLoader loader = manager.getClassLoader();
    String name = cache.getName();
    synchronized (LIVE) {
      return LIVE.stream()
          .filter(m -> m.managerUri.equals(uri) && m.classLoader.get() == loader
              && m.cacheName.equals(name))
          .findFirst();
    }
  }

  /** The cache's name. */
  public String cacheName() {
    return cacheName;
  }

  /** The URI of the cache's manager. */
  public URI managerUri() {
    return managerUri;
  }

  /** What a mutation does when the buffer is full. */
  public OverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /** Returns a snapshot of the buffer's counters, pending operations and lag. */
  public WriteBehindStatistics statistics() {
    return buffer.statistics();
  }

  /** Returns whether the cache keeps a journal, whose counters are then meaningful. */
  public boolean isJournaled() {
    return journal != null;
  }

  /** Returns the number of fsyncs of the journal; zero without one. */
  public long journalSyncs() {
    return (journal == null) ? 0 : journal.syncCount();
  }

  /** Returns how many torn or corrupt journal tails recovery truncated; zero without a journal. */
  public long journalCorruptTailRecoveries() {
    return (journal == null) ? 0 : journal.corruptTailRecoveries();
  }

  /** Returns the number of dead letters kept. */
  public int deadLetterCount() {
    return buffer.deadLetters().size();
  }

  /** Returns the cache's dead letters (typed views are on {@code JotterCache.deadLetters()}). */
  public DeadLetters<?, ?> deadLetters() {
    return buffer.deadLetters();
  }

  /**
   * Queues every dead letter again (see {@link DeadLetters#resubmitAll()}).
   *
   * @return how many were resubmitted
   */
  public int resubmitDeadLetters() {
    return buffer.deadLetters().resubmitAll();
  }

  /**
   * Queues again the dead letters whose key's {@code toString()} is one of {@code keys}: how
   * operators name keys over JMX or HTTP.
   *
   * @return how many were resubmitted
   */
  public int resubmitDeadLetters(Set<String> keys) {
    int resubmitted = 0;
    for (DeadLetter<?, ?> letter : buffer.deadLetters().list()) {
      if (keys.contains(String.valueOf(letter.key())) && letter.resubmit()) {
        resubmitted++;
      }
    }
    return resubmitted;
  }

  /** Discards every dead letter for good (see {@link DeadLetters#discardAll()}). */
  public int discardDeadLetters() {
    return buffer.deadLetters().discardAll();
  }

  /** Discards the dead letters whose key's {@code toString()} is one of {@code keys}. */
  public int discardDeadLetters(Set<String> keys) {
    return discardMatching(buffer.deadLetters(), keys);
  }

  private static <K> int discardMatching(DeadLetters<K, ?> letters, Set<String> names) {
    List<K> keys = new ArrayList<>();
    for (DeadLetter<K, ?> letter : letters.list()) {
      if (names.contains(String.valueOf(letter.key()))) {
        keys.add(letter.key());
      }
    }
    return keys.isEmpty() ? 0 : letters.discard(keys);
  }

  /**
   * Waits at most {@code timeout} until everything queued before the call is written or
   * dead-lettered.
   *
   * @return whether it was in time
   */
  public FlushResult flush(Duration timeout) {
    return buffer.flush(timeout);
  }

  /**
   * Starts closing the cache's buffer without waiting: it stops accepting mutations and sends
   * everything at once, and its drain timeout starts. For JVM shutdown, where all caches drain at
   * the same time.
   */
  public void beginDrain() {
    buffer.beginClose();
  }

  /** The cache's recent database sync delay: acknowledgement to the writer's confirmation. */
  public SyncDelays.Snapshot syncDelay() {
    return events.syncDelays().snapshot();
  }

  /** What can be asked of the cache's write-behind: flush, dead letters, a key's status. */
  public dev.jotter.writebehind.WriteBehind<?, ?> writeBehind() {
    return buffer;
  }

  /** The writer-call events of the cache's buffer, for batch-size and latency meters. */
  public WriteBehindEvents events() {
    return events;
  }

  /**
   * Runs {@code action} when the cache closes or is destroyed, or at once if it has already.
   * Actions must be quick and should not throw.
   */
  public void onClose(Runnable action) {
    synchronized (this) {
      if (!closed) {
        closeActions.add(action);
        return;
      }
    }
    action.run();
  }

  /** Forgets an action given to {@link #onClose}. */
  public synchronized void removeOnClose(Runnable action) {
    closeActions.remove(action);
  }

  /** Returns whether the cache has closed. */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Marks the cache closed, hides the monitor from {@link #live()} and {@link #of}, and runs the
   * close actions (removing meters). Called by the cache's resources after the drain.
   */
  public void close() {
    synchronized (LIVE) {
      LIVE.remove(this);
    }
    List<Runnable> actions;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      actions = List.copyOf(closeActions);
      closeActions.clear();
    }
    RuntimeException failure = null;
    for (Runnable action : actions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "WriteBehindMonitor[" + managerUri + ", " + cacheName + "]";
  }
}
