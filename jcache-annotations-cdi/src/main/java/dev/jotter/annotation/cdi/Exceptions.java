package dev.jotter.annotation.cdi;

import jakarta.interceptor.InvocationContext;

/** The spec's exception filters, and rethrowing a cached {@code Throwable}. */
final class Exceptions {

  private Exceptions() {}

  /**
   * The rule shared by {@code cachedExceptions/nonCachedExceptions}, {@code cacheFor/noCacheFor} and
   * {@code evictFor/noEvictFor}: with both lists empty, {@code whenBothEmpty}; otherwise included
   * when {@code include} is empty or has a supertype of it, and {@code exclude} has none.
   */
  static boolean included(Throwable thrown, Class<? extends Throwable>[] include,
      Class<? extends Throwable>[] exclude, boolean whenBothEmpty) {
    if (include.length == 0 && exclude.length == 0) {
      return whenBothEmpty;
    }
    return (include.length == 0 || isAny(thrown, include)) && !isAny(thrown, exclude);
  }

  /**
   * Runs a cache action around an intercepted call, as {@code @CachePut}, {@code @CacheRemove} and
   * {@code @CacheRemoveAll} define it: before the call when {@code afterInvocation} is false;
   * otherwise after a call that returned, or after one that threw an exception that
   * {@code include}/{@code exclude} let through (both empty: never) — a failing action is then added
   * to that exception as suppressed, and the exception is rethrown.
   */
  static Object around(InvocationContext context, boolean afterInvocation,
      Class<? extends Throwable>[] include, Class<? extends Throwable>[] exclude, Runnable action)
      throws Exception {
    if (!afterInvocation) {
      action.run();
      return context.proceed();
    }
    Object result;
    try {
      result = context.proceed();
    } catch (Throwable thrown) {
      if (included(thrown, include, exclude, false)) {
        try {
          action.run();
        } catch (RuntimeException actionFailed) {
          thrown.addSuppressed(actionFailed);
        }
      }
      throw thrown;
    }
    action.run();
    return result;
  }

  private static boolean isAny(Throwable thrown, Class<? extends Throwable>[] types) {
    for (Class<? extends Throwable> type : types) {
      if (type.isInstance(thrown)) {
        return true;
      }
    }
    return false;
  }

  /** Throws a cached exception as it is, checked or not: the method threw it before. */
  static Exception rethrow(Throwable cached) throws Exception {
    if (cached instanceof Exception) {
      throw (Exception) cached;
    }
    if (cached instanceof Error) {
      throw (Error) cached;
    }
    throw Exceptions.<RuntimeException>sneaky(cached);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable thrown) throws T {
    throw (T) thrown;
  }
}
