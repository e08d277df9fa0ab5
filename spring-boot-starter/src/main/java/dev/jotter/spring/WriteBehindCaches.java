package dev.jotter.spring;

import dev.jotter.metrics.WriteBehindMonitor;
import dev.jotter.spi.JotterCachingProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * The write-behind caches of one application context: those of the Jotter cache managers that are
 * beans of the context ({@code javax.cache.CacheManager} beans, such as the one Spring Boot opens
 * for {@code spring.cache.type=jcache}). The health indicator, the {@code writebehind} endpoint,
 * the meters and the ordered shutdown all read it.
 *
 * <p>A cache manager is named like Spring Boot names it in its cache meters and its {@code caches}
 * endpoint: the bean name of the Spring {@code JCacheCacheManager} that wraps it ({@code
 * cacheManager} by default), else its own bean name, without a {@code CacheManager} suffix unless
 * the name is nothing else.
 *
 * <p>When the context has created its singletons, this binds the writers and loaders of its caches
 * that are {@link BeanWriterFactory} or {@link BeanLoaderFactory} to their beans; a missing or
 * ambiguous bean fails the startup.
 *
 * <p>Thread-safe.
 */
public final class WriteBehindCaches implements SmartInitializingSingleton, DisposableBean {

  private static final Log log = LogFactory.getLog(WriteBehindCaches.class);
  private static final String SUFFIX = "CacheManager";

  private final ListableBeanFactory beanFactory;
  private final JotterProperties properties;
  private final Thread startingThread;
  private volatile List<Manager> managers;
  private volatile boolean started;
  // guarded by this
  private final List<Observation> waiting = new ArrayList<>();

  /** A context's caches; the context calls {@link #afterSingletonsInstantiated()}. */
  public WriteBehindCaches(ListableBeanFactory beanFactory, JotterProperties properties) {
    this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
    this.properties = Objects.requireNonNull(properties, "properties");
    this.startingThread = Thread.currentThread();
    BeanBinding.register(this);
  }

  /** The Jotter cache managers of the context, by name. */
  public Map<String, CacheManager> cacheManagers() {
    Map<String, CacheManager> result = new java.util.LinkedHashMap<>();
    for (Manager manager : managers()) {
      result.put(manager.name, manager.manager);
    }
    return result;
  }

  /** The open write-behind caches, by cache manager name, then cache name. */
  public List<WriteBehindCache> list() {
    List<WriteBehindCache> result = new ArrayList<>();
    for (Manager manager : managers()) {
      for (Cache<?, ?> cache : caches(manager.manager)) {
        WriteBehindMonitor.of(cache)
            .ifPresent(monitor -> result.add(new WriteBehindCache(manager.name, cache, monitor)));
      }
    }
    result.sort(Comparator.comparing(WriteBehindCache::cacheManager)
        .thenComparing(WriteBehindCache::name));
    return result;
  }

  /**
   * Returns the write-behind cache {@code name}, of the cache manager {@code cacheManager} if that
   * is not null.
   *
   * @throws IllegalArgumentException if {@code cacheManager} is null and several cache managers
   *     have a write-behind cache of that name
   */
  public Optional<WriteBehindCache> find(String name, String cacheManager) {
    List<WriteBehindCache> found = new ArrayList<>();
    for (WriteBehindCache cache : list()) {
      if (cache.name().equals(name)
          && (cacheManager == null || cache.cacheManager().equals(cacheManager))) {
        found.add(cache);
      }
    }
    if (found.size() > 1) {
      List<String> names = found.stream().map(WriteBehindCache::cacheManager).toList();
      throw new IllegalArgumentException("Several cache managers " + names + " have a write-behind"
          + " cache named '" + name + "': name the cache manager (cacheManager=...)");
    }
    return found.stream().findFirst();
  }

  /**
   * Calls {@code observer} with the cache manager's name and the monitor of every write-behind
   * cache of the context: those open when the context has started, and every one created later,
   * until the returned handle is closed. Before the context has started, the calls wait for it, so
   * that every cache manager is known by then.
   */
  public AutoCloseable observe(BiConsumer<String, WriteBehindMonitor> observer) {
    Observation observation = new Observation(Objects.requireNonNull(observer, "observer"));
    synchronized (this) {
      if (!started) {
        waiting.add(observation);
        return observation;
      }
    }
    observation.start();
    return observation;
  }

  /** Finds the cache managers, binds the bean factories of their caches and starts observing. */
  @Override
  public void afterSingletonsInstantiated() {
    List<Manager> found = discover();
    managers = found;
    for (Manager manager : found) {
      for (Cache<?, ?> cache : caches(manager.manager)) {
        bindFactories(manager, cache, null);
      }
    }
    checkCacheSettings(found);
    List<Observation> starting;
    synchronized (this) {
      started = true;
      starting = List.copyOf(waiting);
      waiting.clear();
    }
    starting.forEach(Observation::start);
    BeanBinding.signal();
  }

  @Override
  public void destroy() {
    List<Observation> pending;
    synchronized (this) {
      pending = List.copyOf(waiting);
      waiting.clear();
    }
    pending.forEach(Observation::close);
    BeanBinding.unregister(this);
  }

  boolean isStarted() {
    return started;
  }

  boolean isStartingThread(Thread thread) {
    return !started && thread == startingThread;
  }

  /**
   * Binds {@code binding} if one of the context's caches uses its factory.
   *
   * @return whether it did
   * @throws IllegalStateException if the cache's bean is missing or ambiguous
   */
  boolean bind(BeanBinding<?> binding) {
    for (Manager manager : managers()) {
      for (Cache<?, ?> cache : caches(manager.manager)) {
        if (bindFactories(manager, cache, binding)) {
          return true;
        }
      }
    }
    return false;
  }

  private List<Manager> managers() {
    List<Manager> known = managers;
    if (known == null) {
      // a read-through on the starting thread before the singletons are all created
      known = discover();
    }
    return known;
  }

  private List<Manager> discover() {
    List<Manager> found = new ArrayList<>();
    if (ClassUtils.isPresent("org.springframework.cache.jcache.JCacheCacheManager",
        getClass().getClassLoader())) {
      beanFactory.getBeansOfType(JCacheCacheManager.class, false, false).forEach((name, spring) -> {
        CacheManager manager = spring.getCacheManager();
        if (isJotter(manager) && found.stream().noneMatch(m -> m.manager == manager)) {
          found.add(new Manager(displayName(name), manager));
        }
      });
    }
    beanFactory.getBeansOfType(CacheManager.class, false, false).forEach((name, manager) -> {
      if (isJotter(manager) && found.stream().noneMatch(m -> m.manager == manager)) {
        found.add(new Manager(displayName(name), manager));
      }
    });
    found.sort(Comparator.comparing(m -> m.name));
    return List.copyOf(found);
  }

  private static boolean isJotter(CacheManager manager) {
    return manager != null && manager.getCachingProvider() instanceof JotterCachingProvider;
  }

  /** Spring Boot's name for a cache manager bean (CacheMetricsRegistrarConfiguration). */
  static String displayName(String beanName) {
    if (beanName.length() > SUFFIX.length()
        && beanName.regionMatches(true, beanName.length() - SUFFIX.length(), SUFFIX, 0,
            SUFFIX.length())) {
      return beanName.substring(0, beanName.length() - SUFFIX.length());
    }
    return beanName;
  }

  private static List<Cache<?, ?>> caches(CacheManager manager) {
    List<Cache<?, ?>> caches = new ArrayList<>();
    try {
      if (manager.isClosed()) {
        return caches;
      }
      for (String name : manager.getCacheNames()) {
        Cache<?, ?> cache = manager.getCache(name);
        if (cache != null && !cache.isClosed()) {
          caches.add(cache);
        }
      }
    } catch (IllegalStateException closing) {
      // the manager closed meanwhile: it has no open caches
    }
    return caches;
  }

  /**
   * Binds the writer and loader factories of {@code cache} that are bean factories and not bound
   * yet; with {@code only}, just that binding.
   *
   * @return whether {@code only} was found (false when {@code only} is null)
   */
  private boolean bindFactories(Manager manager, Cache<?, ?> cache, BeanBinding<?> only) {
    CompleteConfiguration<?, ?> config;
    try {
      config = cache.getConfiguration(CompleteConfiguration.class);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return false;
    }
    boolean found = false;
    Factory<?> writer = config.getCacheWriterFactory();
    if (writer instanceof BeanWriterFactory<?, ?> factory
        && (only == null || only == factory.binding())) {
      bindOne(manager, cache, config, factory.binding());
      found = true;
    }
    Factory<?> loader = config.getCacheLoaderFactory();
    if (loader instanceof BeanLoaderFactory<?, ?> factory
        && (only == null || only == factory.binding())) {
      bindOne(manager, cache, config, factory.binding());
      found = true;
    }
    return found && only != null;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void bindOne(Manager manager, Cache<?, ?> cache, CompleteConfiguration<?, ?> config,
      BeanBinding binding) {
    if (binding.isBound()) {
      return;
    }
    Class<?> role = binding.role();
    boolean writer = role == CacheWriter.class;
    String what = writer ? "writer" : "loader";
    String setting = "jotter.caches." + cache.getName() + "." + what + "-bean";
    String where = "Cache '" + cache.getName() + "' of cache manager '" + manager.name + "' takes"
        + " its " + what + " from a Spring bean (" + (writer ? BeanWriterFactory.class
            : BeanLoaderFactory.class).getSimpleName() + ")";
    String beanName = binding.beanName();
    String source = "named by the factory";
    if (beanName == null) {
      JotterProperties.CacheBeans beans = properties.getCaches().get(cache.getName());
      beanName = (beans == null) ? null : writer ? beans.getWriterBean() : beans.getLoaderBean();
      source = setting;
    }
    if (beanName == null) {
      List<String> fitting = candidates(role, writer, config.getKeyType(), config.getValueType());
      if (fitting.size() != 1) {
        throw new IllegalStateException(where + ", which needs exactly one " + role.getSimpleName()
            + " bean for " + config.getKeyType().getName() + " -> " + config.getValueType().getName()
            + ", but the context has " + (fitting.isEmpty() ? "none" : fitting)
            + "; name the bean with " + setting);
      }
      beanName = fitting.get(0);
      source = "the only fitting " + role.getSimpleName() + " bean";
    }
    Object bean;
    try {
      bean = beanFactory.getBean(beanName, role);
    } catch (NoSuchBeanDefinitionException e) {
      throw new IllegalStateException(where + ": there is no " + role.getSimpleName() + " bean '"
          + beanName + "' (" + source + ")", e);
    } catch (BeansException e) {
      throw new IllegalStateException(where + ": the bean '" + beanName + "' (" + source
          + ") is not available: " + e.getMessage(), e);
    }
    binding.bind(bean);
    if (log.isDebugEnabled()) {
      log.debug("Cache '" + cache.getName() + "' of cache manager '" + manager.name + "': " + what
          + " is the bean '" + beanName + "' (" + source + ")");
    }
  }

  /** Bean names of {@code role} whose key and value types fit; a cache of Object takes any. */
  private List<String> candidates(Class<?> role, boolean writer, Class<?> keyType,
      Class<?> valueType) {
    List<String> fitting = new ArrayList<>();
    for (String name : beanFactory.getBeanNamesForType(role, true, false)) {
      ResolvableType type = roleType(name, role);
      Class<?> key = type.resolveGeneric(0);
      Class<?> value = type.resolveGeneric(1);
      boolean keyFits = keyType == Object.class || key == null || key.isAssignableFrom(keyType);
      boolean valueFits = valueType == Object.class || value == null
          || (writer ? value.isAssignableFrom(valueType) : valueType.isAssignableFrom(value));
      if (keyFits && valueFits) {
        fitting.add(name);
      }
    }
    return fitting;
  }

  /** The bean's type as {@code role}: declared generics first, else the bean's class. */
  private ResolvableType roleType(String name, Class<?> role) {
    if (beanFactory instanceof ConfigurableListableBeanFactory configurable) {
      try {
        ResolvableType declared =
            configurable.getMergedBeanDefinition(name).getResolvableType().as(role);
        if (declared.resolveGeneric(0) != null || declared.resolveGeneric(1) != null) {
          return declared;
        }
      } catch (NoSuchBeanDefinitionException e) {
        // a singleton registered without a definition: its class below
      }
    }
    Class<?> type = beanFactory.getType(name, false);
    return (type == null) ? ResolvableType.NONE : ResolvableType.forClass(type).as(role);
  }

  /** A {@code jotter.caches.<name>} setting for a cache that cannot use it is a mistake. */
  private void checkCacheSettings(List<Manager> found) {
    properties.getCaches().forEach((name, beans) -> {
      boolean exists = false;
      for (Manager manager : found) {
        for (Cache<?, ?> cache : caches(manager.manager)) {
          if (!cache.getName().equals(name)) {
            continue;
          }
          exists = true;
          CompleteConfiguration<?, ?> config = cache.getConfiguration(CompleteConfiguration.class);
          if (beans.getWriterBean() != null
              && !(config.getCacheWriterFactory() instanceof BeanWriterFactory)) {
            throw new IllegalStateException("jotter.caches." + name + ".writer-bean is set, but"
                + " the writer factory of cache '" + name + "' is " + className(config.getCacheWriterFactory())
                + ", not " + BeanWriterFactory.class.getName() + " (set writer-factory to it in the"
                + " cache's configuration)");
          }
          if (beans.getLoaderBean() != null
              && !(config.getCacheLoaderFactory() instanceof BeanLoaderFactory)) {
            throw new IllegalStateException("jotter.caches." + name + ".loader-bean is set, but"
                + " the loader factory of cache '" + name + "' is " + className(config.getCacheLoaderFactory())
                + ", not " + BeanLoaderFactory.class.getName() + " (set loader-factory to it in the"
                + " cache's configuration)");
          }
        }
      }
      if (!exists) {
        log.warn("jotter.caches." + name + " is set, but no Jotter cache manager of the context"
            + " has a cache '" + name + "' (yet)");
      }
    });
  }

  private static String className(Object factory) {
    return (factory == null) ? "none" : factory.getClass().getName();
  }

  private String managerName(WriteBehindMonitor monitor) {
    for (Manager manager : managers()) {
      if (manager.manager.getURI().equals(monitor.managerUri())) {
        return manager.name;
      }
    }
    return null;
  }

  private record Manager(String name, CacheManager manager) {}

  /** One observer: waiting for the context, then watching Jotter's monitors. */
  private final class Observation implements AutoCloseable {
    private final BiConsumer<String, WriteBehindMonitor> observer;
    private volatile boolean closed;
    private volatile AutoCloseable handle;

    Observation(BiConsumer<String, WriteBehindMonitor> observer) {
      this.observer = observer;
    }

    void start() {
      AutoCloseable started = WriteBehindMonitor.observe(monitor -> {
        if (closed) {
          return;
        }
        String name = managerName(monitor);
        if (name != null) {
          observer.accept(name, monitor);
        }
      });
      handle = started;
      if (closed) {
        close();
      }
    }

    @Override
    public void close() {
      closed = true;
      synchronized (WriteBehindCaches.this) {
        waiting.remove(this);
      }
      AutoCloseable h = handle;
      if (h != null) {
        try {
          h.close();
        } catch (Exception e) {
          throw new IllegalStateException(e); // WriteBehindMonitor's handles do not throw
        }
      }
    }
  }
}
