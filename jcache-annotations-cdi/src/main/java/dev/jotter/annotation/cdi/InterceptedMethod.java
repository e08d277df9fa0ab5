package dev.jotter.annotation.cdi;

import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import javax.cache.Cache;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * What an intercepted method does, resolved once by {@link CacheMethods}: its static details, the
 * resolvers its factory returned, and its key generator ({@code null} for {@code @CacheRemoveAll}).
 * The exception cache resolver is {@code null} unless {@code @CacheResult(exceptionCacheName)} is
 * set.
 */
final class InterceptedMethod<A extends Annotation> {

  private final MethodDetails<A> details;
  private final CacheResolver cacheResolver;
  private final CacheResolver exceptionCacheResolver;
  private final CacheKeyGenerator keyGenerator;

  InterceptedMethod(MethodDetails<A> details, CacheResolver cacheResolver,
      CacheResolver exceptionCacheResolver, CacheKeyGenerator keyGenerator) {
    this.details = details;
    this.cacheResolver = cacheResolver;
    this.exceptionCacheResolver = exceptionCacheResolver;
    this.keyGenerator = keyGenerator;
  }

  A annotation() {
    return details.getCacheAnnotation();
  }

  /**
   * This method with the given annotation type, or null when another cache annotation is the
   * effective one (a class-level binding of one type and a method annotation of another bind both
   * interceptors; only the effective one acts).
   */
  @SuppressWarnings("unchecked")
  <B extends Annotation> InterceptedMethod<B> as(Class<B> type) {
    return type.isInstance(details.getCacheAnnotation()) ? (InterceptedMethod<B>) this : null;
  }

  Invocation<A> invocation(InvocationContext context) {
    return new Invocation<>(details, context);
  }

  GeneratedCacheKey key(Invocation<A> invocation) {
    GeneratedCacheKey key = keyGenerator.generateCacheKey(invocation);
    if (key == null) {
      throw new IllegalStateException(keyGenerator.getClass().getName()
          + " generated a null key for " + details.getMethod());
    }
    return key;
  }

  Cache<Object, Object> cache(Invocation<A> invocation) {
    return resolve(cacheResolver, invocation);
  }

  /** The exception cache, or null when the method caches no exception. */
  Cache<Object, Object> exceptionCache(Invocation<A> invocation) {
    return exceptionCacheResolver == null ? null : resolve(exceptionCacheResolver, invocation);
  }

  private Cache<Object, Object> resolve(CacheResolver resolver, Invocation<A> invocation) {
    Cache<Object, Object> cache = resolver.resolveCache(invocation);
    if (cache == null) {
      throw new IllegalStateException(resolver.getClass().getName() + " resolved no cache for "
          + details);
    }
    return cache;
  }
}
