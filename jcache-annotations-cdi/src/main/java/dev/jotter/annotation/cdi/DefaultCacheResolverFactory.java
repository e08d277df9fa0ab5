package dev.jotter.annotation.cdi;

import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.annotation.CacheInvocationContext;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;
import javax.cache.configuration.MutableConfiguration;

/**
 * The spec's default: caches resolved by name in the application's {@code CacheManager}. A cache
 * the manager lacks is created with a plain {@code MutableConfiguration} (logged at INFO); declare
 * it in the provider's configuration to choose expiry, size or store-by-reference.
 */
final class DefaultCacheResolverFactory implements CacheResolverFactory {

  private final CacheManager cacheManager;

  DefaultCacheResolverFactory(CacheManager cacheManager) {
    this.cacheManager = cacheManager;
  }

  @Override
  public CacheResolver getCacheResolver(CacheMethodDetails<? extends Annotation> details) {
    return new ByName(cacheManager, details.getCacheName());
  }

  @Override
  public CacheResolver getExceptionCacheResolver(CacheMethodDetails<CacheResult> details) {
    String name = details.getCacheAnnotation().exceptionCacheName();
    if (name.isEmpty()) {
      throw new IllegalStateException("No exceptionCacheName on " + details.getMethod());
    }
    return new ByName(cacheManager, name);
  }

  /**
   * Resolves one cache by name; keeps it until it is closed (destroyed, or its manager closed), then
   * looks it up, or creates it, again.
   */
  static final class ByName implements CacheResolver {
    private static final System.Logger LOG = System.getLogger(ByName.class.getName());

    private final CacheManager cacheManager;
    private final String name;
    private volatile Cache<Object, Object> cache;

    ByName(CacheManager cacheManager, String name) {
      this.cacheManager = cacheManager;
      this.name = name;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> Cache<K, V> resolveCache(CacheInvocationContext<? extends Annotation> context) {
      Cache<Object, Object> resolved = cache;
      if (resolved == null || resolved.isClosed()) {
        resolved = lookUpOrCreate(context);
        cache = resolved;
      }
      return (Cache<K, V>) resolved;
    }

    private Cache<Object, Object> lookUpOrCreate(CacheInvocationContext<?> context) {
      Cache<Object, Object> found = cacheManager.getCache(name);
      if (found != null) {
        return found;
      }
      try {
        Cache<Object, Object> created = cacheManager.createCache(name, new MutableConfiguration<>());
        LOG.log(Level.INFO, () -> "Created cache '" + name + "' with a default MutableConfiguration"
            + " for " + context.getMethod());
        return created;
      } catch (CacheException alreadyCreated) {
        // another thread created it first
        found = cacheManager.getCache(name);
        if (found == null) {
          throw alreadyCreated;
        }
        return found;
      }
    }

    @Override
    public String toString() {
      return "cache '" + name + "' of " + cacheManager.getURI();
    }
  }
}
