package dev.jotter.annotation.cdi;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import javax.cache.Cache;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * Runs {@link CacheResult}, in the order the spec gives:
 * <ol>
 *   <li>generate the key, resolve the cache and, with {@code exceptionCacheName}, the exception
 *       cache;</li>
 *   <li>unless {@code skipGet}: return the cached value if there is one; else rethrow the cached
 *       exception if there is one;</li>
 *   <li>invoke the method; put a non-null result in the cache (null is never cached, as JCache
 *       cannot hold it) and return it;</li>
 *   <li>if it throws and an exception cache is set, cache the exception when it passes
 *       {@code cachedExceptions}/{@code nonCachedExceptions} (both empty: every exception), then
 *       rethrow it. A failure to cache it (a non-serializable exception in a store-by-value cache)
 *       is added to it as suppressed, never thrown instead of it.</li>
 * </ol>
 * A failure of the cache itself (get, put) propagates to the caller.
 */
@CacheResult
@Interceptor
@Priority(CacheMethods.PRIORITY)
public class CacheResultInterceptor {

  private final CacheMethods methods;

  @Inject
  CacheResultInterceptor(CacheMethods methods) {
    this.methods = methods;
  }

  /**
   * Serves the call from the cache, or invokes the method and caches its outcome.
   *
   * @param context the intercepted call
   * @return the cached or computed result
   * @throws Exception what the method threw, or the cached exception
   */
  @AroundInvoke
  public Object cacheResult(InvocationContext context) throws Exception {
    InterceptedMethod<CacheResult> method = methods.lookup(context).as(CacheResult.class);
    if (method == null) {
      return context.proceed();
    }
    CacheResult annotation = method.annotation();
    Invocation<CacheResult> invocation = method.invocation(context);
    GeneratedCacheKey key = method.key(invocation);
    Cache<Object, Object> cache = method.cache(invocation);
    Cache<Object, Object> exceptionCache = method.exceptionCache(invocation);

    if (!annotation.skipGet()) {
      Object cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
      if (exceptionCache != null) {
        Object thrown = exceptionCache.get(key);
        if (thrown instanceof Throwable) {
          throw Exceptions.rethrow((Throwable) thrown);
        }
      }
    }

    Object result;
    try {
      result = context.proceed();
    } catch (Throwable thrown) {
      if (exceptionCache != null && Exceptions.included(thrown, annotation.cachedExceptions(),
          annotation.nonCachedExceptions(), true)) {
        try {
          exceptionCache.put(key, thrown);
        } catch (RuntimeException cachingFailed) {
          thrown.addSuppressed(cachingFailed);
        }
      }
      throw thrown;
    }
    if (result != null) {
      cache.put(key, result);
    }
    return result;
  }
}
