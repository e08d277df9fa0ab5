package dev.jotter.annotation.cdi;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import javax.cache.Cache;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * Runs {@link CacheRemove}: removes the key of the call's key arguments.
 * <ul>
 *   <li>{@code afterInvocation = false}: remove, then invoke.</li>
 *   <li>{@code afterInvocation = true} (default): invoke, then remove. If the method throws, remove
 *       only when the exception passes {@code evictFor}/{@code noEvictFor} (both empty: never), then
 *       rethrow; a failing remove is added to it as suppressed.</li>
 * </ul>
 */
@CacheRemove
@Interceptor
@Priority(CacheMethods.PRIORITY)
public class CacheRemoveEntryInterceptor {

  private final CacheMethods methods;

  @Inject
  CacheRemoveEntryInterceptor(CacheMethods methods) {
    this.methods = methods;
  }

  /**
   * Removes the call's key before or after the call.
   *
   * @param context the intercepted call
   * @return the method's result
   * @throws Exception what the method threw
   */
  @AroundInvoke
  public Object cacheRemove(InvocationContext context) throws Exception {
    InterceptedMethod<CacheRemove> method = methods.lookup(context).as(CacheRemove.class);
    if (method == null) {
      return context.proceed();
    }
    CacheRemove annotation = method.annotation();
    Invocation<CacheRemove> invocation = method.invocation(context);
    GeneratedCacheKey key = method.key(invocation);
    Cache<Object, Object> cache = method.cache(invocation);

    return Exceptions.around(context, annotation.afterInvocation(), annotation.evictFor(),
        annotation.noEvictFor(), () -> cache.remove(key));
  }
}
