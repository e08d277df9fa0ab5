package dev.jotter.annotation.cdi;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import javax.cache.Cache;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * Runs {@link CachePut}: puts the {@code @CacheValue} argument under the key of the other (or the
 * {@code @CacheKey}) arguments.
 * <ul>
 *   <li>{@code afterInvocation = false}: put, then invoke; the put happens whatever the method
 *       does.</li>
 *   <li>{@code afterInvocation = true} (default): invoke, then put. If the method throws, put only
 *       when the exception passes {@code cacheFor}/{@code noCacheFor} (both empty: never), then
 *       rethrow; a failing put is added to it as suppressed.</li>
 *   <li>A null {@code @CacheValue} removes the key instead: JCache cannot hold null, and the entry
 *       must not keep the value the call replaced.</li>
 * </ul>
 */
@CachePut
@Interceptor
@Priority(CacheMethods.PRIORITY)
public class CachePutInterceptor {

  private final CacheMethods methods;

  @Inject
  CachePutInterceptor(CacheMethods methods) {
    this.methods = methods;
  }

  /**
   * Puts the {@code @CacheValue} argument before or after the call.
   *
   * @param context the intercepted call
   * @return the method's result
   * @throws Exception what the method threw
   */
  @AroundInvoke
  public Object cachePut(InvocationContext context) throws Exception {
    InterceptedMethod<CachePut> method = methods.lookup(context).as(CachePut.class);
    if (method == null) {
      return context.proceed();
    }
    CachePut annotation = method.annotation();
    Invocation<CachePut> invocation = method.invocation(context);
    GeneratedCacheKey key = method.key(invocation);
    Cache<Object, Object> cache = method.cache(invocation);
    Object value = invocation.value();

    return Exceptions.around(context, annotation.afterInvocation(), annotation.cacheFor(),
        annotation.noCacheFor(), () -> put(cache, key, value));
  }

  private static void put(Cache<Object, Object> cache, GeneratedCacheKey key, Object value) {
    if (value == null) {
      cache.remove(key);
    } else {
      cache.put(key, value);
    }
  }
}
