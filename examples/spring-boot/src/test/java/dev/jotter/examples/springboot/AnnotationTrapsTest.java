package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.Caching;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.Test;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The two traps of the JSR-107 annotations on a cache with a writer, through Spring's real
 * interceptor: a {@code @CacheResult} miss is a {@code put} (a write), and {@code @CacheRemoveAll}
 * is {@code removeAll()} (a {@code deleteAll} of every key the cache holds). Why the example's
 * annotation cache has no writer, and its write-behind cache reads through a loader instead.
 */
class AnnotationTrapsTest {

  static final AtomicInteger WRITES = new AtomicInteger();
  static final AtomicInteger DELETES = new AtomicInteger();

  /** A writer that counts. */
  public static class CountingWriter implements CacheWriter<Object, Object> {
    @Override
    public void write(Cache.Entry<?, ?> entry) {
      WRITES.incrementAndGet();
    }

    @Override
    public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
      WRITES.addAndGet(entries.size());
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      DELETES.incrementAndGet();
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      DELETES.addAndGet(keys.size());
      keys.clear();
    }
  }

  /** A service as an application would write it. */
  public static class Catalog {
    @CacheResult(cacheName = "trap")
    public String describe(Long id) {
      return "item " + id;
    }

    @CacheRemoveAll(cacheName = "trap")
    public void clear() {}
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Context {
    @Bean
    javax.cache.CacheManager jcache() {
      CachingProvider provider = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider");
      javax.cache.CacheManager manager = provider.getCacheManager(
          URI.create("jotter:annotation-traps"), AnnotationTrapsTest.class.getClassLoader());
      manager.createCache("trap", new MutableConfiguration<>()
          .setCacheWriterFactory(FactoryBuilder.factoryOf(CountingWriter.class))
          .setWriteThrough(true));
      return manager;
    }

    @Bean
    JCacheCacheManager cacheManager(javax.cache.CacheManager jcache) {
      return new JCacheCacheManager(jcache);
    }

    @Bean
    Catalog catalog() {
      return new Catalog();
    }
  }

  @Test
  void onACacheWithAWriterAMissWritesAndRemoveAllDeletesEverything() {
    try (AnnotationConfigApplicationContext context =
        new AnnotationConfigApplicationContext(Context.class)) {
      Catalog catalog = context.getBean(Catalog.class);
      catalog.describe(1L);
      catalog.describe(2L);
      catalog.describe(1L);
      assertEquals(2, WRITES.get(), "each @CacheResult miss was written to the store");

      catalog.clear();
      assertEquals(2, DELETES.get(), "@CacheRemoveAll deleted every cached key from the store");
    }
  }
}
