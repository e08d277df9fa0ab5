package dev.jotter.examples.springboot;

import dev.jotter.metrics.JotterMetrics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Jotter's write-behind meters ({@code cache.writebehind.*}, tagged {@code cache} and
 * {@code cache.manager}) in Boot's registry. {@link JotterMetrics} is a Micrometer
 * {@code MeterBinder} that binds every write-behind Jotter cache in the JVM, including the ones the
 * configuration file declares; Boot binds every {@code MeterBinder} bean to its registry and closes
 * the binder (removing the meters) with the context. The JCache meters ({@code cache.gets},
 * {@code cache.puts}, {@code cache.removals}, ...) need nothing: Boot binds them through Micrometer's
 * {@code JCacheMetrics}.
 */
@Configuration(proxyBeanMethods = false)
public class JotterMetersConfiguration {

  @Bean
  JotterMetrics jotterWriteBehindMeters() {
    return new JotterMetrics();
  }
}
