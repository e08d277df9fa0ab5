package dev.jotter.annotation.cdi;

import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Set;
import javax.cache.annotation.CacheInvocationParameter;
import javax.cache.annotation.CacheKeyInvocationContext;

/**
 * One intercepted call as the spec's {@link CacheKeyInvocationContext}: what key generators and
 * cache resolvers see. Parameter arrays are copies, as the spec requires. {@link #unwrap} also
 * hands out the container's {@link InvocationContext}.
 */
final class Invocation<A extends Annotation> implements CacheKeyInvocationContext<A> {

  private final MethodDetails<A> details;
  private final InvocationContext context;
  private final CacheInvocationParameter[] parameters;

  Invocation(MethodDetails<A> details, InvocationContext context) {
    this.details = details;
    this.context = context;
    Object[] values = context.getParameters();
    Class<?>[] types = details.getMethod().getParameterTypes();
    this.parameters = new CacheInvocationParameter[details.parameterCount()];
    for (int i = 0; i < parameters.length; i++) {
      parameters[i] = new Parameter(types[i], values[i], details.parameterAnnotations(i), i);
    }
  }

  @Override
  public Method getMethod() {
    return details.getMethod();
  }

  @Override
  public Set<Annotation> getAnnotations() {
    return details.getAnnotations();
  }

  @Override
  public A getCacheAnnotation() {
    return details.getCacheAnnotation();
  }

  @Override
  public String getCacheName() {
    return details.getCacheName();
  }

  @Override
  public Object getTarget() {
    return context.getTarget();
  }

  @Override
  public CacheInvocationParameter[] getAllParameters() {
    return parameters.clone();
  }

  @Override
  public CacheInvocationParameter[] getKeyParameters() {
    int[] positions = details.keyPositions();
    CacheInvocationParameter[] keys = new CacheInvocationParameter[positions.length];
    for (int i = 0; i < positions.length; i++) {
      keys[i] = parameters[positions[i]];
    }
    return keys;
  }

  @Override
  public CacheInvocationParameter getValueParameter() {
    int position = details.valuePosition();
    return position < 0 ? null : parameters[position];
  }

  /** The {@code @CacheValue} argument: call only for {@code @CachePut} methods. */
  Object value() {
    return parameters[details.valuePosition()].getValue();
  }

  @Override
  public <T> T unwrap(Class<T> cls) {
    if (cls.isInstance(this)) {
      return cls.cast(this);
    }
    if (cls.isInstance(context)) {
      return cls.cast(context);
    }
    throw new IllegalArgumentException("Cannot unwrap a cache invocation context to " + cls.getName()
        + "; supported: " + CacheKeyInvocationContext.class.getName() + ", "
        + InvocationContext.class.getName());
  }

  @Override
  public String toString() {
    return "Invocation of " + details;
  }

  /** A parameter of the call: declared type, value, annotations, position. */
  private static final class Parameter implements CacheInvocationParameter {
    private final Class<?> rawType;
    private final Object value;
    private final Set<Annotation> annotations;
    private final int position;

    Parameter(Class<?> rawType, Object value, Set<Annotation> annotations, int position) {
      this.rawType = rawType;
      this.value = value;
      this.annotations = annotations;
      this.position = position;
    }

    @Override
    public Class<?> getRawType() {
      return rawType;
    }

    @Override
    public Object getValue() {
      return value;
    }

    @Override
    public Set<Annotation> getAnnotations() {
      return annotations;
    }

    @Override
    public int getParameterPosition() {
      return position;
    }

    @Override
    public String toString() {
      return "parameter " + position + " (" + rawType.getName() + ") = " + value;
    }
  }
}
