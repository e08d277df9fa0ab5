package dev.jotter.annotation.cdi;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;

/**
 * The static half of the spec's contexts: what is known of an annotated method before any call.
 * Immutable.
 *
 * <ul>
 *   <li>Cache name: the annotation's {@code cacheName}, else {@code @CacheDefaults(cacheName)}, else
 *       {@code declaring.Class.method(param.Type,param.Type)} with {@link Class#getName()} names, the
 *       reference implementation's spelling.</li>
 *   <li>Key parameters: those annotated {@code @CacheKey}; if none is, all but the
 *       {@code @CacheValue} one. {@code @CacheRemoveAll} has none.</li>
 *   <li>Value parameter: for {@code @CachePut} exactly one {@code @CacheValue} parameter, else the
 *       method is rejected; none for the other annotations.</li>
 * </ul>
 */
final class MethodDetails<A extends Annotation> implements CacheMethodDetails<A> {

  private final Method method;
  private final Set<Annotation> annotations;
  private final A cacheAnnotation;
  private final String cacheName;
  private final List<Set<Annotation>> parameterAnnotations;
  private final int[] keyPositions;
  private final int valuePosition;

  private MethodDetails(Method method, A cacheAnnotation, String cacheName,
      List<Set<Annotation>> parameterAnnotations, int[] keyPositions, int valuePosition) {
    this.method = method;
    this.annotations = immutableSet(method.getAnnotations());
    this.cacheAnnotation = cacheAnnotation;
    this.cacheName = cacheName;
    this.parameterAnnotations = parameterAnnotations;
    this.keyPositions = keyPositions;
    this.valuePosition = valuePosition;
  }

  static <A extends Annotation> MethodDetails<A> of(Method method, A annotation,
      CacheDefaults defaults) {
    Annotation[][] byParameter = method.getParameterAnnotations();
    List<Set<Annotation>> parameterAnnotations = new ArrayList<>(byParameter.length);
    List<Integer> cacheKeys = new ArrayList<>();
    List<Integer> cacheValues = new ArrayList<>();
    for (int i = 0; i < byParameter.length; i++) {
      Set<Annotation> set = immutableSet(byParameter[i]);
      parameterAnnotations.add(set);
      for (Annotation a : byParameter[i]) {
        if (a instanceof CacheKey) {
          cacheKeys.add(i);
        } else if (a instanceof CacheValue) {
          cacheValues.add(i);
        }
      }
    }
    int valuePosition = -1;
    if (annotation instanceof CachePut) {
      if (cacheValues.size() != 1) {
        throw new IllegalStateException("@CachePut needs exactly one parameter annotated @CacheValue, "
            + "found " + cacheValues.size() + " on " + method);
      }
      valuePosition = cacheValues.get(0);
    }
    int[] keyPositions;
    if (annotation instanceof CacheRemoveAll) {
      keyPositions = new int[0];
    } else if (!cacheKeys.isEmpty()) {
      keyPositions = cacheKeys.stream().mapToInt(Integer::intValue).toArray();
    } else {
      keyPositions = new int[byParameter.length - cacheValues.size()];
      int k = 0;
      for (int i = 0; i < byParameter.length; i++) {
        if (!cacheValues.contains(i)) {
          keyPositions[k++] = i;
        }
      }
    }
    return new MethodDetails<>(method, annotation, cacheName(method, annotation, defaults),
        parameterAnnotations, keyPositions, valuePosition);
  }

  private static String cacheName(Method method, Annotation annotation, CacheDefaults defaults) {
    String name;
    if (annotation instanceof CacheResult) {
      name = ((CacheResult) annotation).cacheName();
    } else if (annotation instanceof CachePut) {
      name = ((CachePut) annotation).cacheName();
    } else if (annotation instanceof CacheRemove) {
      name = ((CacheRemove) annotation).cacheName();
    } else {
      name = ((CacheRemoveAll) annotation).cacheName();
    }
    if (name.isEmpty() && defaults != null) {
      name = defaults.cacheName();
    }
    if (name.isEmpty()) {
      name = method.getDeclaringClass().getName() + "." + method.getName()
          + Arrays.stream(method.getParameterTypes()).map(Class::getName)
              .collect(Collectors.joining(",", "(", ")"));
    }
    return name;
  }

  static Class<? extends CacheResolverFactory> resolverFactoryType(Annotation annotation) {
    if (annotation instanceof CacheResult) {
      return ((CacheResult) annotation).cacheResolverFactory();
    } else if (annotation instanceof CachePut) {
      return ((CachePut) annotation).cacheResolverFactory();
    } else if (annotation instanceof CacheRemove) {
      return ((CacheRemove) annotation).cacheResolverFactory();
    }
    return ((CacheRemoveAll) annotation).cacheResolverFactory();
  }

  static Class<? extends CacheKeyGenerator> keyGeneratorType(Annotation annotation) {
    if (annotation instanceof CacheResult) {
      return ((CacheResult) annotation).cacheKeyGenerator();
    } else if (annotation instanceof CachePut) {
      return ((CachePut) annotation).cacheKeyGenerator();
    }
    return ((CacheRemove) annotation).cacheKeyGenerator();
  }

  private static Set<Annotation> immutableSet(Annotation[] annotations) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(annotations)));
  }

  @Override
  public Method getMethod() {
    return method;
  }

  @Override
  public Set<Annotation> getAnnotations() {
    return annotations;
  }

  @Override
  public A getCacheAnnotation() {
    return cacheAnnotation;
  }

  @Override
  public String getCacheName() {
    return cacheName;
  }

  int parameterCount() {
    return parameterAnnotations.size();
  }

  Set<Annotation> parameterAnnotations(int position) {
    return parameterAnnotations.get(position);
  }

  int[] keyPositions() {
    return keyPositions;
  }

  /** The {@code @CacheValue} position, or -1 outside {@code @CachePut}. */
  int valuePosition() {
    return valuePosition;
  }

  @Override
  public String toString() {
    return "@" + cacheAnnotation.annotationType().getSimpleName() + "(cache '" + cacheName + "') "
        + method;
  }
}
