package dev.jotter.spi;

import dev.jotter.JotterCacheManager;
import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.writebehind.JvmShutdown;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import org.jspecify.annotations.Nullable;

/**
 * Jotter's JCache provider, found through {@code META-INF/services/javax.cache.spi.CachingProvider}:
 * {@code Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider")}.
 *
 * <p>Cache managers are kept per class loader (weakly, so an undeployed application's loader can be
 * collected) and per URI. Any URI opens a manager, whatever its scheme ({@code file:}, {@code jar:},
 * {@code classpath:}, a Spring Boot {@code jar:nested:} URI): the URI names the manager.
 */
public final class JotterCachingProvider implements CachingProvider {

  /** The URI of the default cache manager. */
  public static final URI DEFAULT_URI = URI.create("jotter:default");

  private final Map<ClassLoader, Map<URI, JotterCacheManager>> managers = new WeakHashMap<>();
  private boolean shutdownHookAdded;

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Properties props = properties == null ? new Properties() : properties;
    synchronized (managers) {
      Map<URI, JotterCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
      JotterCacheManager manager = byUri.get(managerUri);
      if (manager == null || manager.isClosed()) {
        manager = new JotterCacheManager(this, managerUri, loader, props);
        byUri.put(managerUri, manager);
        addShutdownHook();
      }
      return manager;
    }
  }

  /**
   * Closes every manager when the JVM shuts down, so that write-behind caches drain (within their
   * drain timeout) and report what they could not write, instead of losing it silently.
   */
  private void addShutdownHook() {
    if (shutdownHookAdded) {
      return;
    }
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "jotter-shutdown"));
      shutdownHookAdded = true;
    } catch (IllegalStateException e) {
      // the JVM is shutting down already; the managers close with it
    }
  }

  /**
   * The JVM is going down: every write-behind cache starts draining at once, so that the longest
   * drain timeout bounds the shutdown rather than their sum, then the managers close. What cannot
   * be written is reported on standard error too, since logging frameworks stop in hooks of their
   * own at the same time.
   */
  private void shutdown() {
    JvmShutdown.begin();
    for (WriteBehindMonitor monitor : WriteBehindMonitor.live()) {
      monitor.beginDrain();
    }
    close();
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : JotterCachingProvider.class.getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return DEFAULT_URI;
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    for (JotterCacheManager manager : snapshot(null)) {
      manager.close();
    }
  }

  @Override
  public void close(ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    for (JotterCacheManager manager : snapshot(loader)) {
      manager.close();
    }
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    JotterCacheManager manager;
    synchronized (managers) {
      Map<URI, JotterCacheManager> byUri = managers.get(loader);
      manager = byUri == null ? null : byUri.get(managerUri);
    }
    if (manager != null) {
      manager.close();
    }
  }

  /** Forgets a manager that closed itself. */
  public void release(JotterCacheManager manager) {
    Objects.requireNonNull(manager, "manager");
    synchronized (managers) {
      for (Map<URI, JotterCacheManager> byUri : managers.values()) {
        byUri.remove(manager.getURI(), manager);
      }
    }
  }

  private java.util.List<JotterCacheManager> snapshot(@Nullable ClassLoader only) {
    synchronized (managers) {
      java.util.List<JotterCacheManager> result = new java.util.ArrayList<>();
      managers.forEach((loader, byUri) -> {
        if (only == null || only == loader) {
          result.addAll(byUri.values());
        }
      });
      return result;
    }
  }

  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    return optionalFeature == OptionalFeature.STORE_BY_REFERENCE;
  }

  @Override
  public String toString() {
    return "JotterCachingProvider";
  }
}
