package dev.jotter.event;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.EventType;
import org.jspecify.annotations.Nullable;

/**
 * Publishes entry events to the registered listeners.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Events are raised inside the key's atomic section, so they are raised in the order the key
 *       changed.
 *   <li>An asynchronous listener receives the events on a pool thread, one at a time and in the
 *       order they were raised; an exception it throws is logged and does not reach the caller.
 *   <li>A synchronous listener is called on the caller's thread after the operation has applied its
 *       change and left the atomic section (so the listener may use the cache), before the operation
 *       returns; its exception reaches the caller as a {@code CacheEntryListenerException}, after
 *       the other synchronous listeners have been called.
 *   <li>A filter is evaluated at the moment the listener is called.
 * </ul>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class EventDispatcher<K, V> {

  private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "jotter-listener-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private final List<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();
  private final ThreadLocal<List<Runnable>> pendingSynchronous = ThreadLocal.withInitial(ArrayList::new);
  /** Set once a synchronous listener registers; until then no operation looks at the thread-local. */
  private volatile boolean everSynchronous;

  /**
   * Registers a listener.
   *
   * @throws IllegalArgumentException if an equal configuration is registered already
   */
  public void register(CacheEntryListenerConfiguration<K, V> configuration) {
    synchronized (registrations) {
      for (Registration<K, V> registration : registrations) {
        if (registration.configuration().equals(configuration)) {
          throw new IllegalArgumentException("This CacheEntryListenerConfiguration is registered "
              + "already; a configuration can be registered once per cache");
        }
      }
      if (configuration.isSynchronous()) {
        everSynchronous = true;
      }
      registrations.add(new Registration<>(configuration, new SerialExecutor(POOL)));
    }
  }

  /** Removes and closes the listener of an equal configuration; returns whether there was one. */
  public boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    synchronized (registrations) {
      for (Registration<K, V> registration : registrations) {
        if (registration.configuration().equals(configuration)) {
          registrations.remove(registration);
          registration.close();
          return true;
        }
      }
      return false;
    }
  }

  /** Returns whether any listener is registered; lets operations skip building events. */
  public boolean hasListeners() {
    return !registrations.isEmpty();
  }

  /** Raises a CREATED event. */
  public void publishCreated(Cache<K, V> cache, K key, V value) {
    publish(cache, EventType.CREATED, key, value, null);
  }

  /** Raises an UPDATED event. */
  public void publishUpdated(Cache<K, V> cache, K key, V oldValue, V newValue) {
    publish(cache, EventType.UPDATED, key, newValue, oldValue);
  }

  /** Raises a REMOVED event. */
  public void publishRemoved(Cache<K, V> cache, K key, V oldValue) {
    publish(cache, EventType.REMOVED, key, oldValue, oldValue);
  }

  /** Raises an EXPIRED event. */
  public void publishExpired(Cache<K, V> cache, K key, V oldValue) {
    publish(cache, EventType.EXPIRED, key, oldValue, oldValue);
  }

  private void publish(Cache<K, V> cache, EventType type, K key, V value, @Nullable V oldValue) {
    if (registrations.isEmpty()) {
      return;
    }
    JotterCacheEntryEvent<K, V> event = new JotterCacheEntryEvent<>(cache, type, key, value, oldValue);
    for (Registration<K, V> registration : registrations) {
      if (registration.isSynchronous()) {
        pendingSynchronous.get().add(() -> {
          if (registration.accepts(event)) {
            registration.deliver(event);
          }
        });
      } else {
        registration.serial().execute(() -> deliverQuietly(registration, event));
      }
    }
  }

  private static <K, V> void deliverQuietly(Registration<K, V> registration, JotterCacheEntryEvent<K, V> event) {
    try {
      if (registration.accepts(event)) {
        registration.deliver(event);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, () -> "Asynchronous listener failed on " + event, e);
    }
  }

  /**
   * Calls the synchronous listeners for the events this thread raised; every operation calls it once
   * it has left the atomic section.
   *
   * @throws CacheEntryListenerException the first failure of a synchronous listener
   */
  public void dispatchSynchronous() {
    if (!everSynchronous) {
      return;
    }
    List<Runnable> pending = pendingSynchronous.get();
    if (pending.isEmpty()) {
      return;
    }
    List<Runnable> batch = new ArrayList<>(pending);
    pending.clear();
    CacheEntryListenerException failure = null;
    for (Runnable delivery : batch) {
      try {
        delivery.run();
      } catch (CacheEntryListenerException e) {
        if (failure == null) {
          failure = e;
        }
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = new CacheEntryListenerException(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Closes every listener; the cache is closing. */
  public void close() {
    synchronized (registrations) {
      registrations.forEach(Registration::close);
      registrations.clear();
    }
  }
}
