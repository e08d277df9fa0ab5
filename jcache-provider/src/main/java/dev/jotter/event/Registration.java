package dev.jotter.event;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.jspecify.annotations.Nullable;

/** One registered listener: its configuration, the listener and filter it created, and how to call it. */
final class Registration<K, V> {

  private static final System.Logger LOG = System.getLogger(Registration.class.getName());

  private final CacheEntryListenerConfiguration<K, V> configuration;
  private final CacheEntryListener<? super K, ? super V> listener;
  /** The listener's filter, or {@code null} if it has none. */
  private final @Nullable CacheEntryEventFilter<? super K, ? super V> filter;
  private final SerialExecutor serial;

  Registration(CacheEntryListenerConfiguration<K, V> configuration, SerialExecutor serial) {
    this.configuration = configuration;
    this.listener = configuration.getCacheEntryListenerFactory().create();
    Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory =
        configuration.getCacheEntryEventFilterFactory();
    this.filter = filterFactory == null ? null : filterFactory.create();
    this.serial = serial;
  }

  CacheEntryListenerConfiguration<K, V> configuration() {
    return configuration;
  }

  boolean isSynchronous() {
    return configuration.isSynchronous();
  }

  SerialExecutor serial() {
    return serial;
  }

  /** Returns whether the listener takes this kind of event and its filter lets this one through. */
  boolean accepts(JotterCacheEntryEvent<K, V> event) {
    boolean typed;
    switch (event.getEventType()) {
      case CREATED:
        typed = listener instanceof CacheEntryCreatedListener;
        break;
      case UPDATED:
        typed = listener instanceof CacheEntryUpdatedListener;
        break;
      case REMOVED:
        typed = listener instanceof CacheEntryRemovedListener;
        break;
      case EXPIRED:
        typed = listener instanceof CacheEntryExpiredListener;
        break;
      default:
        typed = false;
    }
    return typed && (filter == null || filter.evaluate(event));
  }

  /** Delivers one event; listener exceptions come out as {@link CacheEntryListenerException}. */
  @SuppressWarnings("unchecked")
  void deliver(JotterCacheEntryEvent<K, V> event) {
    Iterable<CacheEntryEvent<? extends K, ? extends V>> events = List.of(event);
    try {
      switch (event.getEventType()) {
        case CREATED:
          ((CacheEntryCreatedListener<K, V>) listener).onCreated(events);
          break;
        case UPDATED:
          ((CacheEntryUpdatedListener<K, V>) listener).onUpdated(events);
          break;
        case REMOVED:
          ((CacheEntryRemovedListener<K, V>) listener).onRemoved(events);
          break;
        case EXPIRED:
          ((CacheEntryExpiredListener<K, V>) listener).onExpired(events);
          break;
        default:
          throw new AssertionError(event.getEventType());
      }
    } catch (CacheEntryListenerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheEntryListenerException(
          "CacheEntryListener " + listener.getClass().getName() + " threw on " + event, e);
    }
  }

  /** Closes the listener and the filter where they are {@link Closeable}. */
  void close() {
    closeQuietly(listener);
    closeQuietly(filter);
  }

  static void closeQuietly(@Nullable Object resource) {
    if (resource instanceof Closeable) {
      try {
        ((Closeable) resource).close();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, () -> "Closing " + resource.getClass().getName() + " failed", e);
      }
    }
  }
}
