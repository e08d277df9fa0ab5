package dev.jotter.annotation.cdi;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import javax.cache.Cache;
import javax.cache.annotation.CacheRemoveAll;

/**
 * Runs {@link CacheRemoveAll}: {@code Cache.removeAll()} (listeners and writers see every removal,
 * unlike {@code clear()}).
 * <ul>
 *   <li>{@code afterInvocation = false}: remove all, then invoke.</li>
 *   <li>{@code afterInvocation = true} (default): invoke, then remove all. If the method throws,
 *       remove all only when the exception passes {@code evictFor}/{@code noEvictFor} (both empty:
 *       never), then rethrow; a failing removal is added to it as suppressed.</li>
 * </ul>
 */
@CacheRemoveAll
@Interceptor
@Priority(CacheMethods.PRIORITY)
public class CacheRemoveAllInterceptor {

  private final CacheMethods methods;

  @Inject
  CacheRemoveAllInterceptor(CacheMethods methods) {
    this.methods = methods;
  }

  /**
   * Empties the cache before or after the call.
   *
   * @param context the intercepted call
   * @return the method's result
   * @throws Exception what the method threw
   */
  @AroundInvoke
  public Object cacheRemoveAll(InvocationContext context) throws Exception {
    InterceptedMethod<CacheRemoveAll> method = methods.lookup(context).as(CacheRemoveAll.class);
    if (method == null) {
      return context.proceed();
    }
    CacheRemoveAll annotation = method.annotation();
    Cache<Object, Object> cache = method.cache(method.invocation(context));

    return Exceptions.around(context, annotation.afterInvocation(), annotation.evictFor(),
        annotation.noEvictFor(), cache::removeAll);
  }
}
