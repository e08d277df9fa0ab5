package dev.jotter.spring;

import java.util.Map;
import java.util.Objects;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;

/**
 * A {@link CacheLoader} factory whose loader is a Spring bean; the loader's counterpart of {@link
 * BeanWriterFactory}, chosen the same way:
 *
 * <pre>
 * # jotter.properties
 * cache.orders.loader-factory = dev.jotter.spring.BeanLoaderFactory
 *
 * # application.properties (optional: without it, the one CacheLoader bean that fits)
 * jotter.caches.orders.loader-bean = orderLoader
 * </pre>
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class BeanLoaderFactory<K, V> implements Factory<CacheLoader<K, V>> {
  private static final long serialVersionUID = 1L;

  /** The bean this factory names itself, or null; kept when a configuration is serialized. */
  private final String beanName;
  @SuppressWarnings("rawtypes")
  private final transient BeanBinding<CacheLoader> binding;

  /** For configuration files: the bean is chosen by the cache's settings or by type. */
  public BeanLoaderFactory() {
    this.beanName = null;
    this.binding = new BeanBinding<>(CacheLoader.class, null);
  }

  /** For programmatic configurations: the loader is the bean named {@code beanName}. */
  public BeanLoaderFactory(String beanName) {
    this.beanName = Objects.requireNonNull(beanName, "beanName");
    this.binding = new BeanBinding<>(CacheLoader.class, beanName);
  }

  @SuppressWarnings("rawtypes")
  BeanBinding<CacheLoader> binding() {
    return binding;
  }

  @Override
  public CacheLoader<K, V> create() {
    return new Loader<>(binding);
  }

  /** A deserialized copy is a new, unbound factory naming the same bean. */
  private Object readResolve() {
    return (beanName == null) ? new BeanLoaderFactory<>() : new BeanLoaderFactory<>(beanName);
  }

  @Override
  public String toString() {
    return "BeanLoaderFactory[" + (binding.beanName() == null ? "by cache" : binding.beanName())
        + "]";
  }

  /** Forwards every call to the bean. */
  private static final class Loader<K, V> implements CacheLoader<K, V> {
    @SuppressWarnings("rawtypes")
    private final BeanBinding<CacheLoader> binding;

    @SuppressWarnings("rawtypes")
    Loader(BeanBinding<CacheLoader> binding) {
      this.binding = binding;
    }

    @SuppressWarnings("unchecked")
    private CacheLoader<K, V> bean() {
      try {
        return binding.target();
      } catch (IllegalStateException e) {
        throw new CacheLoaderException(e.getMessage(), e);
      }
    }

    @Override
    public V load(K key) {
      return bean().load(key);
    }

    @Override
    public Map<K, V> loadAll(Iterable<? extends K> keys) {
      return bean().loadAll(keys);
    }

    @Override
    public String toString() {
      return "CacheLoader bean " + binding.describe();
    }
  }
}
