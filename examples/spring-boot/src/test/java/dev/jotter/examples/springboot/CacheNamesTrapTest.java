package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.Test;

/**
 * What Spring Boot's JCacheCacheConfiguration does with {@code spring.cache.cache-names}: after
 * opening the manager from {@code spring.cache.jcache.config} it calls
 * {@code createCache(name, <the Configuration bean, else new MutableConfiguration<>()>)} for every
 * listed name, unconditionally. The JCache spec makes createCache of an existing name a
 * CacheException, and the caches in jotter.properties exist as soon as the manager opens.
 */
class CacheNamesTrapTest {

  @Test
  void aNameDeclaredInTheFileAndListedInCacheNamesFailsStartup() {
    CachingProvider provider = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider");
    try (CacheManager manager = provider.getCacheManager(URI.create("classpath:jotter.properties"),
        getClass().getClassLoader())) {
      CacheException e = assertThrows(CacheException.class,
          () -> manager.createCache("prices", new MutableConfiguration<>()));
      assertTrue(e.getMessage().contains("exists already"), e.getMessage());

      // a name only in spring.cache.cache-names is created, with Boot's default configuration
      Cache<Object, Object> extra = manager.createCache("extra", new MutableConfiguration<>());
      assertSame(extra, manager.getCache("extra"));
    }
  }
}
