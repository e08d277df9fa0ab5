package dev.jotter.annotation.cdi;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Stereotype;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.CacheManager;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;

/**
 * Resolves, once per bean class and method, what an intercepted method does: its
 * {@link InterceptedMethod}. Shared by the four interceptors.
 *
 * <ul>
 *   <li>The effective annotation: the one JSR-107 cache annotation on the method, else the one on
 *       the bean class (or a stereotype of it). Two on the same level is an error, reported at the
 *       first call.</li>
 *   <li>Class-level annotations and {@code @CacheDefaults} are looked up on the bean class and then
 *       its superclasses (container subclasses carry none), as if they were {@code @Inherited}.</li>
 *   <li>The {@code CacheResolverFactory} and {@code CacheKeyGenerator} named by the annotation, else
 *       by {@code @CacheDefaults}, are CDI beans when the container has one of that class, else are
 *       made with their no-argument constructor; one instance per class. The factory is asked for a
 *       {@code CacheResolver} once per method, as the spec says.</li>
 *   <li>The default factory resolves caches by name in the injected {@code CacheManager}, creating
 *       a missing one with a plain {@code MutableConfiguration}.</li>
 * </ul>
 *
 * <p>Resolution runs under a lock at the first call of each method only; later calls read a
 * concurrent map.
 */
@Singleton
final class CacheMethods {

  /**
   * Inside the platform interceptors (security, transactions: {@code PLATFORM_BEFORE} range), so a
   * cached value is never handed to a caller they would have refused.
   */
  static final int PRIORITY = Interceptor.Priority.LIBRARY_BEFORE + 100;

  private static final List<Class<? extends Annotation>> CACHE_ANNOTATIONS =
      List.of(CacheResult.class, CachePut.class, CacheRemove.class, CacheRemoveAll.class);

  private final CacheManager cacheManager;
  private final Instance<CacheResolverFactory> resolverFactories;
  private final Instance<CacheKeyGenerator> keyGenerators;
  private final Map<MethodKey, InterceptedMethod<?>> methods = new ConcurrentHashMap<>();
  private final Map<Class<?>, Object> components = new ConcurrentHashMap<>();
  private final Object resolutionLock = new Object();
  private DefaultCacheResolverFactory defaultResolverFactory;

  @Inject
  CacheMethods(CacheManager cacheManager, Instance<CacheResolverFactory> resolverFactories,
      Instance<CacheKeyGenerator> keyGenerators) {
    this.cacheManager = cacheManager;
    this.resolverFactories = resolverFactories;
    this.keyGenerators = keyGenerators;
  }

  /** Returns the plan of the intercepted method, resolving it at its first call. */
  InterceptedMethod<?> lookup(InvocationContext context) {
    Class<?> beanClass = context.getTarget().getClass();
    MethodKey key = new MethodKey(beanClass, context.getMethod());
    InterceptedMethod<?> method = methods.get(key);
    if (method == null) {
      synchronized (resolutionLock) {
        method = methods.get(key);
        if (method == null) {
          method = resolve(beanClass, context.getMethod());
          methods.put(key, method);
        }
      }
    }
    return method;
  }

  private InterceptedMethod<?> resolve(Class<?> beanClass, Method method) {
    Annotation annotation = effectiveAnnotation(beanClass, method);
    CacheDefaults defaults = findOnHierarchy(beanClass, CacheDefaults.class);
    MethodDetails<?> details = MethodDetails.of(method, annotation, defaults);
    CacheResolverFactory factory = resolverFactory(annotation, defaults);
    CacheResolver cacheResolver = factory.getCacheResolver(details);
    if (cacheResolver == null) {
      throw new IllegalStateException(factory.getClass().getName()
          + ".getCacheResolver returned null for " + method);
    }
    CacheResolver exceptionCacheResolver = null;
    if (annotation instanceof CacheResult && !((CacheResult) annotation).exceptionCacheName().isEmpty()) {
      @SuppressWarnings("unchecked")
      MethodDetails<CacheResult> resultDetails = (MethodDetails<CacheResult>) details;
      exceptionCacheResolver = factory.getExceptionCacheResolver(resultDetails);
      if (exceptionCacheResolver == null) {
        throw new IllegalStateException(factory.getClass().getName()
            + ".getExceptionCacheResolver returned null for " + method);
      }
    }
    CacheKeyGenerator keyGenerator =
        annotation instanceof CacheRemoveAll ? null : keyGenerator(annotation, defaults);
    return new InterceptedMethod<>(details, cacheResolver, exceptionCacheResolver, keyGenerator);
  }

  private static Annotation effectiveAnnotation(Class<?> beanClass, Method method) {
    Annotation onMethod = single(method.getAnnotations(), method.toString());
    if (onMethod != null) {
      return onMethod;
    }
    for (Class<?> type = beanClass; type != null && type != Object.class; type = type.getSuperclass()) {
      Annotation onClass = single(type.getDeclaredAnnotations(), type.getName());
      if (onClass == null) {
        List<Annotation> fromStereotypes = new ArrayList<>();
        for (Annotation candidate : type.getDeclaredAnnotations()) {
          if (candidate.annotationType().isAnnotationPresent(Stereotype.class)) {
            Annotation inStereotype = single(candidate.annotationType().getAnnotations(),
                candidate.annotationType().getName());
            if (inStereotype != null) {
              fromStereotypes.add(inStereotype);
            }
          }
        }
        onClass = single(fromStereotypes.toArray(new Annotation[0]), type.getName());
      }
      if (onClass != null) {
        return onClass;
      }
    }
    throw new IllegalStateException("A JSR-107 cache interceptor intercepted " + method
        + ", but neither the method nor the class " + beanClass.getName()
        + " (or its superclasses and their stereotypes) carries @CacheResult, @CachePut,"
        + " @CacheRemove or @CacheRemoveAll");
  }

  private static Annotation single(Annotation[] annotations, String where) {
    Annotation found = null;
    for (Annotation annotation : annotations) {
      if (CACHE_ANNOTATIONS.contains(annotation.annotationType())) {
        if (found != null) {
          throw new IllegalStateException("Only one of @CacheResult, @CachePut, @CacheRemove and "
              + "@CacheRemoveAll may annotate " + where + ", found @"
              + found.annotationType().getSimpleName() + " and @"
              + annotation.annotationType().getSimpleName());
        }
        found = annotation;
      }
    }
    return found;
  }

  private static <A extends Annotation> A findOnHierarchy(Class<?> beanClass, Class<A> type) {
    for (Class<?> c = beanClass; c != null && c != Object.class; c = c.getSuperclass()) {
      A found = c.getDeclaredAnnotation(type);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private CacheResolverFactory resolverFactory(Annotation annotation, CacheDefaults defaults) {
    Class<? extends CacheResolverFactory> type = MethodDetails.resolverFactoryType(annotation);
    if (type == CacheResolverFactory.class && defaults != null) {
      type = defaults.cacheResolverFactory();
    }
    if (type == CacheResolverFactory.class) {
      if (defaultResolverFactory == null) {
        defaultResolverFactory = new DefaultCacheResolverFactory(cacheManager);
      }
      return defaultResolverFactory;
    }
    return component(resolverFactories, type);
  }

  private CacheKeyGenerator keyGenerator(Annotation annotation, CacheDefaults defaults) {
    Class<? extends CacheKeyGenerator> type = MethodDetails.keyGeneratorType(annotation);
    if (type == CacheKeyGenerator.class && defaults != null) {
      type = defaults.cacheKeyGenerator();
    }
    if (type == CacheKeyGenerator.class) {
      return DefaultCacheKeyGenerator.INSTANCE;
    }
    return component(keyGenerators, type);
  }

  /** The CDI bean of that class if the container has one, else a new instance; one per class. */
  private <T> T component(Instance<T> beans, Class<? extends T> type) {
    Object existing = components.get(type);
    if (existing != null) {
      return type.cast(existing);
    }
    Instance<? extends T> bean = beans.select(type);
    T instance;
    if (bean.isUnsatisfied()) {
      try {
        var constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        instance = constructor.newInstance();
      } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
        throw new IllegalStateException(type.getName() + " is neither a CDI bean nor a class with a "
            + "no-argument constructor", e);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("Creating " + type.getName() + " failed", e.getCause());
      }
    } else {
      instance = bean.get(); // ambiguous: fails, naming the beans
    }
    components.put(type, instance);
    return instance;
  }

  private record MethodKey(Class<?> beanClass, Method method) {}
}
