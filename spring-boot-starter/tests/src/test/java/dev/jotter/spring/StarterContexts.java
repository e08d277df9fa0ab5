package dev.jotter.spring;

import dev.jotter.spring.actuate.JotterEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Application contexts as Spring Boot builds them with the starter, for the tests. */
final class StarterContexts {

  private StarterContexts() {}

  /** Spring Boot's cache auto-configuration and every auto-configuration of the starter. */
  static AutoConfigurations autoConfigurations() {
    return AutoConfigurations.of(BootLine.cacheAutoConfiguration(), JotterAutoConfiguration.class,
        JotterEndpointAutoConfiguration.class,
        dev.jotter.spring.actuate.boot3.JotterHealthAutoConfiguration.class,
        dev.jotter.spring.actuate.boot4.JotterHealthAutoConfiguration.class);
  }

  /** A context whose JCache cache manager is Jotter's, opened from {@code configFile}. */
  static ApplicationContextRunner jotter(String configFile) {
    return new ApplicationContextRunner()
        .withConfiguration(autoConfigurations())
        .withUserConfiguration(Caching.class)
        .withPropertyValues("spring.cache.type=jcache",
            // what JotterEnvironmentPostProcessor sets in an application (the runner runs none)
            "spring.cache.jcache.provider=dev.jotter.spi.JotterCachingProvider",
            "spring.cache.jcache.config=classpath:" + configFile,
            "management.endpoints.jmx.exposure.include=writebehind", "spring.jmx.enabled=true");
  }

  /** The orders database with its writer and loader beans, for jotter-orders.properties. */
  @Configuration(proxyBeanMethods = false)
  static class OrderBeans {
    @Bean
    TestBeans.Database database() {
      return new TestBeans.Database();
    }

    @Bean
    TestBeans.OrderWriter orderWriter(TestBeans.Database database) {
      return new TestBeans.OrderWriter(database);
    }

    @Bean
    TestBeans.OrderLoader orderLoader(TestBeans.Database database) {
      return new TestBeans.OrderLoader(database);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Caching {}
}
