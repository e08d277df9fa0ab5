package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jotter.metrics.JotterMetrics;
import dev.jotter.spi.JotterCachingProvider;
import dev.jotter.spring.actuate.WriteBehindEndpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions: when it applies, when it backs off, what it binds. */
class JotterAutoConfigurationTest {

  private final ApplicationContextRunner orders = StarterContexts.jotter("jotter-orders.properties")
      .withUserConfiguration(StarterContexts.OrderBeans.class);

  @Test
  void aJotterCacheManagerGetsTheWholeStarter() {
    orders.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(WriteBehindCaches.class);
      assertThat(context).hasSingleBean(WriteBehindShutdown.class);
      assertThat(context).hasSingleBean(WriteBehindMeterBinder.class);
      assertThat(context).hasSingleBean(WriteBehindEndpoint.class);
      assertThat(context).hasBean("jotterHealthContributor");
      WriteBehindCaches caches = context.getBean(WriteBehindCaches.class);
      // the Spring wrapper's bean name, as Spring Boot's cache meters name the manager
      assertThat(caches.cacheManagers()).containsOnlyKeys("cacheManager");
      assertThat(caches.list()).extracting(WriteBehindCache::name).containsExactly("orders");
      assertThat(BootLine.names(context.getBean("jotterHealthContributor")))
          .containsExactly("orders");
    });
  }

  @Test
  void aSpringJCacheCacheManagerBeanAloneIsEnough() {
    new ApplicationContextRunner()
        .withConfiguration(StarterContexts.autoConfigurations())
        .withUserConfiguration(OwnSpringCacheManager.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          WriteBehindCaches caches = context.getBean(WriteBehindCaches.class);
          // named as Spring Boot names it in cache meters: without the CacheManager suffix
          assertThat(caches.cacheManagers()).containsOnlyKeys("orders");
          assertThat(caches.list()).extracting(WriteBehindCache::name).containsExactly("wb");
        });
  }

  @Configuration(proxyBeanMethods = false)
  @org.springframework.cache.annotation.EnableCaching
  static class OwnSpringCacheManager {
    @Bean
    org.springframework.cache.jcache.JCacheCacheManager ordersCacheManager() {
      javax.cache.CacheManager manager = javax.cache.Caching
          .getCachingProvider(JotterCachingProvider.class.getName())
          .getCacheManager(java.net.URI.create("jotter:own-spring-cache-manager"),
              getClass().getClassLoader());
      if (manager.getCache("wb") == null) {
        dev.jotter.configuration.JotterConfiguration<Long, String> config =
            new dev.jotter.configuration.JotterConfiguration<>();
        config.setTypes(Long.class, String.class)
            .setCacheWriterFactory(new TestBeans.PlainWriterFactory()).setWriteThrough(true);
        config.setWriteBehind(dev.jotter.configuration.WriteBehindConfiguration.builder().build());
        manager.createCache("wb", config);
      }
      return new org.springframework.cache.jcache.JCacheCacheManager(manager);
    }
  }

  @Test
  void backsOffWithoutJotterOnTheClassPath() {
    new ApplicationContextRunner()
        .withConfiguration(StarterContexts.autoConfigurations())
        .withUserConfiguration(StarterContexts.Caching.class)
        .withClassLoader(new FilteredClassLoader(JotterCachingProvider.class))
        .withPropertyValues("spring.cache.type=simple")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(WriteBehindCaches.class);
          assertThat(context).doesNotHaveBean(WriteBehindShutdown.class);
          assertThat(context).doesNotHaveBean("jotterHealthContributor");
        });
  }

  @Test
  void backsOffWithoutAJCacheCacheManager() {
    new ApplicationContextRunner()
        .withConfiguration(StarterContexts.autoConfigurations())
        .withUserConfiguration(StarterContexts.Caching.class)
        .withPropertyValues("spring.cache.type=simple")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(WriteBehindCaches.class);
          assertThat(context).doesNotHaveBean(WriteBehindEndpoint.class);
        });
  }

  @Test
  void bindsItsProperties() {
    orders.withPropertyValues("jotter.health.lag.threshold=5s", "jotter.health.lag.status=down",
            "jotter.health.dead-letters.threshold=3", "jotter.health.pending.threshold=1000",
            "jotter.health.writer-failing.status=OUT_OF_SERVICE", "jotter.shutdown.phase=42",
            "jotter.caches.orders.writer-bean=orderWriter",
            "jotter.caches.orders.loader-bean=orderLoader")
        .run(context -> {
          assertThat(context).hasNotFailed();
          JotterProperties properties = context.getBean(JotterProperties.class);
          assertThat(properties.getHealth().getLag().getThreshold()).isEqualTo(Duration.ofSeconds(5));
          assertThat(properties.getHealth().getLag().getStatus()).isEqualTo("down");
          assertThat(properties.getHealth().getDeadLetters().getThreshold()).isEqualTo(3);
          assertThat(properties.getHealth().getPending().getThreshold()).isEqualTo(1000);
          assertThat(properties.getHealth().getWriterFailing().getStatus())
              .isEqualTo("OUT_OF_SERVICE");
          assertThat(properties.getHealth().getWriterFailing().getThreshold())
              .isEqualTo(Duration.ofMinutes(1));
          assertThat(properties.getCaches().get("orders").getWriterBean()).isEqualTo("orderWriter");
          assertThat(properties.getCaches().get("orders").getLoaderBean()).isEqualTo("orderLoader");
          assertThat(context.getBean(WriteBehindShutdown.class).getPhase()).isEqualTo(42);
        });
  }

  @Test
  void defaultsAreDocumentedOnes() {
    JotterProperties properties = new JotterProperties();
    assertThat(properties.getHealth().getLag().getThreshold()).isEqualTo(Duration.ofMinutes(1));
    assertThat(properties.getHealth().getLag().getStatus()).isEqualTo("DEGRADED");
    assertThat(properties.getHealth().getWriterFailing().getStatus()).isEqualTo("DOWN");
    assertThat(properties.getHealth().getDeadLetters().getThreshold()).isEqualTo(1);
    assertThat(properties.getHealth().getPending().getThreshold()).isNull();
    assertThat(properties.getMetrics().isEnabled()).isTrue();
    assertThat(properties.getShutdown().getPhase()).isEqualTo(Integer.MAX_VALUE - 4096);
  }

  @Test
  void switchesTurnPartsOff() {
    orders.withPropertyValues("jotter.metrics.enabled=false", "jotter.shutdown.enabled=false",
            "management.health.jotter.enabled=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(WriteBehindCaches.class);
          assertThat(context).doesNotHaveBean(WriteBehindMeterBinder.class);
          assertThat(context).doesNotHaveBean(WriteBehindShutdown.class);
          assertThat(context).doesNotHaveBean("jotterHealthContributor");
        });
  }

  @Test
  void theEndpointNeedsExposure() {
    orders.withPropertyValues("management.endpoints.jmx.exposure.include=health")
        .run(context -> assertThat(context).doesNotHaveBean(WriteBehindEndpoint.class));
  }

  @Test
  void userDefinedBeansWin() {
    orders.withUserConfiguration(UserBeans.class).run(context -> {
      assertThat(context).hasNotFailed();
      // the application's own JotterMetrics binder: the starter binds no second set of meters
      assertThat(context).hasSingleBean(JotterMetrics.class);
      assertThat(context).doesNotHaveBean(WriteBehindMeterBinder.class);
      assertThat(context.getBean(WriteBehindEndpoint.class))
          .isSameAs(context.getBean("myEndpoint"));
      assertThat(context.getBean(WriteBehindShutdown.class).getPhase()).isEqualTo(7);
      assertThat(context.getBean("jotterHealthContributor")).isEqualTo("mine");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserBeans {
    @Bean
    JotterMetrics jotterMetrics() {
      return new JotterMetrics();
    }

    @Bean
    WriteBehindEndpoint myEndpoint(WriteBehindCaches caches) {
      return new WriteBehindEndpoint(caches);
    }

    @Bean
    WriteBehindShutdown myShutdown(WriteBehindCaches caches) {
      return new WriteBehindShutdown(caches, 7);
    }

    @Bean
    String jotterHealthContributor() {
      return "mine";
    }
  }

  @Test
  void environmentDefaultsNameJotterAndRankDegradedBelowOutOfService() {
    org.springframework.core.env.StandardEnvironment environment =
        new org.springframework.core.env.StandardEnvironment();
    new JotterEnvironmentPostProcessor().postProcessEnvironment(environment,
        new org.springframework.boot.SpringApplication());
    assertThat(environment.getProperty("spring.cache.jcache.provider"))
        .isEqualTo(JotterCachingProvider.class.getName());
    assertThat(environment.getProperty("management.endpoint.health.status.order", List.class))
        .containsExactly("DOWN", "OUT_OF_SERVICE", "DEGRADED", "UP", "UNKNOWN");

    org.springframework.core.env.StandardEnvironment own =
        new org.springframework.core.env.StandardEnvironment();
    own.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
        java.util.Map.of("spring.cache.jcache.provider", "com.example.Other",
            "management.endpoint.health.status.order", "DOWN,UP")));
    new JotterEnvironmentPostProcessor().postProcessEnvironment(own,
        new org.springframework.boot.SpringApplication());
    assertThat(own.getProperty("spring.cache.jcache.provider")).isEqualTo("com.example.Other");
    assertThat(own.getProperty("management.endpoint.health.status.order")).isEqualTo("DOWN,UP");
  }

  @Test
  void springBootRunsTheEnvironmentPostProcessor() {
    // registered under Boot 3's spring.factories key; Boot 4 must still read it
    try (org.springframework.context.ConfigurableApplicationContext context =
        new org.springframework.boot.builder.SpringApplicationBuilder(Empty.class)
            .web(org.springframework.boot.WebApplicationType.NONE).run()) {
      assertThat(context.getEnvironment().getProperty("spring.cache.jcache.provider"))
          .isEqualTo(JotterCachingProvider.class.getName());
      assertThat(context.getEnvironment().getPropertySources()
          .contains(JotterEnvironmentPostProcessor.PROPERTY_SOURCE)).isTrue();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Empty {}
}
