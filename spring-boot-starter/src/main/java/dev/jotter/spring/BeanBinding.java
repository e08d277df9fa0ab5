package dev.jotter.spring;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The Spring bean behind one {@link BeanWriterFactory} or {@link BeanLoaderFactory}: the link from
 * an object Jotter created outside Spring (the factory is named by a class name in a configuration
 * file and instantiated reflectively) to a bean of the application context whose cache uses it.
 *
 * <ul>
 *   <li>An application context binds every factory of its caches when its singletons are all
 *       created ({@link WriteBehindCaches#afterSingletonsInstantiated()}), on its own thread: the
 *       bean and what it needs (a {@code DataSource}) exist by then, and a writer bean that needs
 *       the cache manager itself makes no cycle.
 *   <li>A call before that, on the thread that starts the context (a read-through while the
 *       context starts), binds at once. A call on another thread (the write-behind flusher
 *       replaying a journal while the context starts) waits for the context, at most {@link
 *       #STARTUP_WAIT}; then it fails, and write-behind retries it.
 *   <li>A factory of a cache created after the context started is bound on its first use.
 *   <li>A bound bean stays bound until its cache closes: the caches of a context drain into their
 *       beans while the context stops, before any bean is destroyed ({@link
 *       WriteBehindShutdown}).
 * </ul>
 *
 * <p>Thread-safe.
 */
final class BeanBinding<T> {

  /** How long a call on another thread waits for a starting context to bind its factory. */
  static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  /** The contexts with the starter, starting or started; a handful per JVM. */
  private static final List<WriteBehindCaches> CONTEXTS = new CopyOnWriteArrayList<>();
  /** Notified when a context finishes starting or closes. */
  private static final Object STARTED = new Object();

  private final Class<T> role;
  private final String beanName;
  private volatile T target;

  /**
   * @param role {@code CacheWriter.class} or {@code CacheLoader.class}
   * @param beanName the bean the factory names itself, or null to let the context choose
   */
  BeanBinding(Class<T> role, String beanName) {
    this.role = role;
    this.beanName = beanName;
  }

  static void register(WriteBehindCaches context) {
    CONTEXTS.add(context);
  }

  static void unregister(WriteBehindCaches context) {
    CONTEXTS.remove(context);
    signal();
  }

  /** Wakes calls waiting for a starting context. */
  static void signal() {
    synchronized (STARTED) {
      STARTED.notifyAll();
    }
  }

  Class<T> role() {
    return role;
  }

  /** The bean name the factory was created with, or null. */
  String beanName() {
    return beanName;
  }

  boolean isBound() {
    return target != null;
  }

  void bind(T bean) {
    target = bean;
  }

  /**
   * Returns the bean, binding it first if need be.
   *
   * @throws IllegalStateException if no context binds it (in time); the message says why
   */
  T target() {
    T bound = target;
    return (bound != null) ? bound : await();
  }

  private T await() {
    long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
    while (true) {
      boolean starting = false;
      for (WriteBehindCaches context : CONTEXTS) {
        if (context.isStarted() || context.isStartingThread(Thread.currentThread())) {
          if (context.bind(this)) {
            return target();
          }
        } else {
          starting = true;
        }
      }
      if (!starting) {
        throw new IllegalStateException("No Spring application context with the Jotter starter has"
            + " a cache whose " + describe() + " is this factory: it works only for caches of the"
            + " JCache cache managers that are beans of such a context");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("The Spring application context did not start within "
            + STARTUP_WAIT + ", so the " + describe() + " bean is not available yet");
      }
      synchronized (STARTED) {
        try {
          // a short slice too: a context may start between the scan above and this wait
          STARTED.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the " + describe()
              + " bean", e);
        }
      }
    }
  }

  String describe() {
    return (role.getSimpleName().equals("CacheWriter") ? "writer" : "loader")
        + (beanName == null ? "" : " '" + beanName + "'");
  }
}
