package dev.jotter;

import dev.jotter.configuration.ConfigurationFile;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import org.jspecify.annotations.Nullable;

/**
 * The caches of one (URI, class loader) pair. The URI names the manager; the class loader resolves the
 * classes of store-by-value copies.
 *
 * <p>Thread-safe. {@link #close()} closes every cache (draining write-behind buffers) and unregisters
 * the manager from its provider.
 */
public final class JotterCacheManager implements CacheManager {

  private final JotterCachingProvider provider;
  private final URI uri;
  private final WeakReference<ClassLoader> classLoader;
  private final Properties properties;
  private final ConcurrentMap<String, JotterCache<?, ?>> caches = new ConcurrentHashMap<>();
  private final Set<String> declared;
  private volatile boolean closed;

  /**
   * Created by {@link JotterCachingProvider#getCacheManager(URI, ClassLoader, Properties)}; not meant
   * to be called by applications.
   *
   * @param provider the provider that keeps the manager
   * @param uri names the manager; a {@code .properties} file's URI also declares its caches
   * @param classLoader resolves the classes of the caches
   * @param properties the provider-specific properties, copied
   * @throws CacheException if {@code uri} names a {@code .properties} file that does not exist, or a
   *     configuration file that cannot be read
   */
  public JotterCacheManager(JotterCachingProvider provider, URI uri, ClassLoader classLoader,
      Properties properties) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.uri = Objects.requireNonNull(uri, "uri");
    // weak, as the specification asks, so that a manager does not pin an undeployed application
    this.classLoader = new WeakReference<>(Objects.requireNonNull(classLoader, "classLoader"));
    this.properties = new Properties();
    if (properties != null) {
      this.properties.putAll(properties);
    }
    ConfigurationFile file = ConfigurationLocator.locate(uri, classLoader);
    this.declared = file == null ? Set.of() : file.caches().keySet();
    if (file != null) {
      file.caches().forEach(this::createCache);
    }
  }

  @Override
  public JotterCachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    ClassLoader loader = classLoader.get();
    if (loader == null) {
      throw new IllegalStateException("The class loader of cache manager " + uri
          + " has been garbage collected");
    }
    return loader;
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName,
      C configuration) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(configuration, "configuration");
    JotterConfiguration<K, V> config = new JotterConfiguration<>(configuration);
    config.validate();
    synchronized (caches) {
      if (caches.containsKey(cacheName)) {
        throw new CacheException("A cache named '" + cacheName + "' exists already in cache manager "
            + uri + "; use getCache, or destroyCache first" + (declared.contains(cacheName)
                ? " (it is declared in the manager's configuration file, which creates it: a "
                    + "framework that creates caches by name, such as Spring Boot's "
                    + "spring.cache.cache-names, must not list it too)"
                : ""));
      }
      JotterCache<K, V> cache =
          new JotterCache<>(cacheName, this, config,
              new CacheResources<>(uri, getClassLoader(), cacheName, config));
      caches.put(cacheName, cache);
      return cache;
    }
  }

  @Override
  public <K, V> @Nullable Cache<K, V> getCache(String cacheName, Class<K> keyType,
      Class<V> valueType) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    JotterCache<?, ?> cache = caches.get(cacheName);
    if (cache == null) {
      return null;
    }
    CompleteConfiguration<?, ?> config = cache.getConfiguration(CompleteConfiguration.class);
    if (config.getKeyType() != keyType || config.getValueType() != valueType) {
      throw new ClassCastException("Cache '" + cacheName + "' holds " + config.getKeyType().getName()
          + " -> " + config.getValueType().getName() + ", not " + keyType.getName() + " -> "
          + valueType.getName());
    }
    @SuppressWarnings("unchecked")
    Cache<K, V> typed = (Cache<K, V>) cache;
    return typed;
  }

  @Override
  public <K, V> @Nullable Cache<K, V> getCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    @SuppressWarnings("unchecked")
    Cache<K, V> cache = (Cache<K, V>) caches.get(cacheName);
    return cache;
  }

  @Override
  public Iterable<String> getCacheNames() {
    requireOpen();
    return Collections.unmodifiableList(new ArrayList<>(caches.keySet()));
  }

  @Override
  public void destroyCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    JotterCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.clear();
      cache.close();
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    JotterCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.setManagementEnabled(enabled);
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    JotterCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.setStatisticsEnabled(enabled);
    }
  }

  /** Forgets a cache that closed itself. */
  void release(JotterCache<?, ?> cache) {
    caches.remove(cache.getName(), cache);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    synchronized (caches) {
      if (closed) {
        return;
      }
      closed = true;
    }
    provider.release(this);
    List<JotterCache<?, ?>> open = new ArrayList<>(caches.values());
    RuntimeException failure = null;
    for (JotterCache<?, ?> cache : open) {
      try {
        cache.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    caches.clear();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("A Jotter cache manager unwraps to "
        + JotterCacheManager.class.getName() + " or its supertypes, not to " + clazz.getName());
  }

  @Override
  public String toString() {
    return "JotterCacheManager[" + uri + "]";
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("Cache manager " + uri + " is closed");
    }
  }
}
