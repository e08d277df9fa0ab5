package dev.jotter.annotation.cdi;

import java.lang.annotation.Annotation;
import javax.cache.annotation.CacheInvocationParameter;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CacheKeyInvocationContext;
import javax.cache.annotation.GeneratedCacheKey;

/** The spec's default key: a {@link DefaultGeneratedCacheKey} of the key parameters' values. */
final class DefaultCacheKeyGenerator implements CacheKeyGenerator {

  static final DefaultCacheKeyGenerator INSTANCE = new DefaultCacheKeyGenerator();

  private DefaultCacheKeyGenerator() {}

  @Override
  public GeneratedCacheKey generateCacheKey(
      CacheKeyInvocationContext<? extends Annotation> context) {
    CacheInvocationParameter[] parameters = context.getKeyParameters();
    Object[] values = new Object[parameters.length];
    for (int i = 0; i < parameters.length; i++) {
      values[i] = parameters[i].getValue();
    }
    return new DefaultGeneratedCacheKey(values);
  }
}
