package dev.jotter.examples.springboot;

import dev.jotter.examples.springboot.store.StoreDataSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/**
 * Jotter behind Spring's cache abstraction: {@code spring.cache.type=jcache} with Jotter named as the
 * provider and its caches declared in {@code jotter.properties} ({@code spring.cache.jcache.config}).
 * The services use the JSR-107 annotations; the {@code orders} cache writes behind into the
 * application's database.
 */
@SpringBootApplication
@EnableCaching
public class JotterSpringBootExample {

  public static void main(String[] args) {
    SpringApplication.run(JotterSpringBootExample.class, args);
  }

  /**
   * Makes every JCache {@code CacheManager} bean depend on {@link StoreDataSource}, so that on
   * shutdown Spring closes the cache manager — which drains the write-behind queue into the database
   * — before it closes the DataSource the writer uses.
   */
  @Bean
  static BeanFactoryPostProcessor cacheManagerClosesBeforeDataSource() {
    return beanFactory -> {
      for (String name : beanFactory.getBeanNamesForType(javax.cache.CacheManager.class, true,
          false)) {
        BeanDefinition definition = beanFactory.getBeanDefinition(name);
        List<String> dependsOn = new ArrayList<>();
        if (definition.getDependsOn() != null) {
          dependsOn.addAll(Arrays.asList(definition.getDependsOn()));
        }
        dependsOn.add(StoreDataSource.BEAN_NAME);
        definition.setDependsOn(dependsOn.toArray(String[]::new));
      }
    };
  }
}
