package dev.jotter.spring;

import java.util.Collection;
import java.util.Objects;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A {@link CacheWriter} factory whose writer is a Spring bean: name it in a Jotter configuration
 * file, and the cache writes through (or behind) into a bean of the application context, which can
 * use the application's {@code DataSource}, transactions and settings.
 *
 * <pre>
 * # jotter.properties
 * cache.orders.writer-factory = dev.jotter.spring.BeanWriterFactory
 *
 * # application.properties (optional: without it, the one CacheWriter bean that fits the cache's
 * # key and value types is used)
 * jotter.caches.orders.writer-bean = orderWriter
 * </pre>
 *
 * <p>Which bean: the name given to the {@linkplain #BeanWriterFactory(String) constructor}, else
 * {@code jotter.caches.<cache>.writer-bean}, else the only {@code CacheWriter} bean whose key and
 * value types fit the cache's. A missing or ambiguous bean fails the application's startup with a
 * message that names the cache and the candidates. The bean is looked up once the context has created
 * its singletons (see {@code BeanBinding} for calls made earlier), so a writer bean may depend on
 * anything, the cache manager included.
 *
 * <p>The writer this factory creates only forwards to the bean: the bean's lifecycle is Spring's.
 * Spring destroys the bean (and its {@code DataSource}) only after the write-behind caches have
 * drained, because {@link WriteBehindShutdown} closes them first.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class BeanWriterFactory<K, V> implements Factory<CacheWriter<K, V>> {
  private static final long serialVersionUID = 1L;

  /** The bean this factory names itself, or null; kept when a configuration is serialized. */
  private final String beanName;
  @SuppressWarnings("rawtypes")
  private final transient BeanBinding<CacheWriter> binding;

  /** For configuration files: the bean is chosen by the cache's settings or by type. */
  public BeanWriterFactory() {
    this.beanName = null;
    this.binding = new BeanBinding<>(CacheWriter.class, null);
  }

  /** For programmatic configurations: the writer is the bean named {@code beanName}. */
  public BeanWriterFactory(String beanName) {
    this.beanName = Objects.requireNonNull(beanName, "beanName");
    this.binding = new BeanBinding<>(CacheWriter.class, beanName);
  }

  @SuppressWarnings("rawtypes")
  BeanBinding<CacheWriter> binding() {
    return binding;
  }

  @Override
  public CacheWriter<K, V> create() {
    return new Writer<>(binding);
  }

  /** A deserialized copy is a new, unbound factory naming the same bean. */
  private Object readResolve() {
    return (beanName == null) ? new BeanWriterFactory<>() : new BeanWriterFactory<>(beanName);
  }

  @Override
  public String toString() {
    return "BeanWriterFactory[" + (binding.beanName() == null ? "by cache" : binding.beanName())
        + "]";
  }

  /** Forwards every call to the bean. */
  private static final class Writer<K, V> implements CacheWriter<K, V> {
    @SuppressWarnings("rawtypes")
    private final BeanBinding<CacheWriter> binding;

    @SuppressWarnings("rawtypes")
    Writer(BeanBinding<CacheWriter> binding) {
      this.binding = binding;
    }

    @SuppressWarnings("unchecked")
    private CacheWriter<K, V> bean() {
      try {
        return binding.target();
      } catch (IllegalStateException e) {
        throw new CacheWriterException(e.getMessage(), e);
      }
    }

    @Override
    public void write(Cache.Entry<? extends K, ? extends V> entry) {
      bean().write(entry);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
      bean().writeAll(entries);
    }

    @Override
    public void delete(Object key) {
      bean().delete(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      bean().deleteAll(keys);
    }

    @Override
    public String toString() {
      return "CacheWriter bean " + binding.describe();
    }
  }
}
