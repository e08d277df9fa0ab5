package dev.jotter.annotation.cdi.tck;

import javax.cache.annotation.BeanProvider;
import manager.CacheNameOnEachMethodBlogManagerImpl;
import manager.ClassLevelCacheConfigBlogManagerImpl;
import manager.UsingDefaultCacheNameBlogManagerImpl;
import org.jboss.weld.bootstrap.spi.BeanDiscoveryMode;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The TCK's {@link BeanProvider} (found through {@code META-INF/services}): the TCK's blog managers
 * from a Weld SE container with this module's extension and interceptors, nothing else.
 *
 * <p>The TCK beans carry only JSR-107 annotations, no bean-defining annotation, so the synthetic
 * archive discovers {@code ALL}: they become {@code @Dependent} beans, and the extension's bindings
 * make the interceptors apply. The container starts at the first request and stops with the JVM
 * (Weld SE's shutdown hook).
 */
public final class WeldBeanProvider implements BeanProvider {

  private static final class Holder {
    static final WeldContainer CONTAINER = new Weld("jsr107-tck-annotations")
        .disableDiscovery()
        .setBeanDiscoveryMode(BeanDiscoveryMode.ALL)
        .addBeanClasses(CacheNameOnEachMethodBlogManagerImpl.class,
            ClassLevelCacheConfigBlogManagerImpl.class, UsingDefaultCacheNameBlogManagerImpl.class)
        .initialize();
  }

  /** Created by the TCK through {@code ServiceLoader}. */
  public WeldBeanProvider() {}

  @Override
  public <T> T getBeanByType(Class<T> beanClass) {
    return Holder.CONTAINER.select(beanClass).get();
  }
}
