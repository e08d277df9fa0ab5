package dev.jotter.spring;

import dev.jotter.metrics.JotterMetrics;
import dev.jotter.spi.JotterCachingProvider;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Jotter in a Spring Boot application with a JCache cache manager bean (Spring Boot opens one for
 * {@code spring.cache.type=jcache}, and the starter makes Jotter the default provider, see {@link
 * JotterEnvironmentPostProcessor}) or a Spring {@code JCacheCacheManager} bean:
 *
 * <ul>
 *   <li>{@link WriteBehindCaches}: the context's write-behind caches; binds {@link
 *       BeanWriterFactory} and {@link BeanLoaderFactory} to their beans;
 *   <li>{@link WriteBehindShutdown}: drains and closes them while the context stops, before any
 *       bean is destroyed ({@code jotter.shutdown.enabled});
 *   <li>{@link WriteBehindMeterBinder}: their meters, tagged with the cache manager's bean name,
 *       when Micrometer is present ({@code jotter.metrics.enabled}; off when the application
 *       declares its own {@link JotterMetrics}).
 * </ul>
 *
 * <p>Each bean backs off when the application defines one of its type. The health indicator and
 * the {@code writebehind} endpoint are in {@code dev.jotter.spring.actuate}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration", // Boot 3
    "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration"}) // Boot 4
@ConditionalOnClass({JotterCachingProvider.class, javax.cache.CacheManager.class,
    JCacheCacheManager.class})
@Conditional(JotterAutoConfiguration.OnJCacheManager.class)
@EnableConfigurationProperties(JotterProperties.class)
public class JotterAutoConfiguration {

  /** A JCache cache manager bean, or a Spring {@code JCacheCacheManager} bean that wraps one. */
  static final class OnJCacheManager extends AnyNestedCondition {
    OnJCacheManager() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(javax.cache.CacheManager.class)
    static final class JCacheManagerBean {}

    @ConditionalOnBean(JCacheCacheManager.class)
    static final class SpringJCacheManagerBean {}
  }

  @Bean
  @ConditionalOnMissingBean
  public WriteBehindCaches jotterWriteBehindCaches(ListableBeanFactory beanFactory,
      JotterProperties properties) {
    return new WriteBehindCaches(beanFactory, properties);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "jotter.shutdown", name = "enabled", matchIfMissing = true)
  public WriteBehindShutdown jotterWriteBehindShutdown(WriteBehindCaches caches,
      JotterProperties properties) {
    return new WriteBehindShutdown(caches, properties.getShutdown().getPhase());
  }

  /** The meters, when Micrometer is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  @ConditionalOnProperty(prefix = "jotter.metrics", name = "enabled", matchIfMissing = true)
  static class Meters {

    @Bean
    @ConditionalOnMissingBean({WriteBehindMeterBinder.class, JotterMetrics.class})
    WriteBehindMeterBinder jotterWriteBehindMeters(WriteBehindCaches caches) {
      return new WriteBehindMeterBinder(caches);
    }
  }
}
