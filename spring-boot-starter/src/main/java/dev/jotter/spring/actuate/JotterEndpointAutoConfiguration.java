package dev.jotter.spring.actuate;

import dev.jotter.spring.JotterAutoConfiguration;
import dev.jotter.spring.WriteBehindCaches;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code writebehind} endpoint, when the actuator is present and the endpoint is available
 * (enabled and exposed, by Spring Boot's {@code management.endpoint(s).*} settings). The same class
 * on Spring Boot 3.5 and 4.0: the endpoint API did not move.
 */
@AutoConfiguration(after = JotterAutoConfiguration.class)
@ConditionalOnClass(name = {
    "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
    "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
public class JotterEndpointAutoConfiguration {

  /** Nested, so that its conditions are read only when the actuator is there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBean(WriteBehindCaches.class)
  @ConditionalOnAvailableEndpoint(endpoint = WriteBehindEndpoint.class)
  static class Available {

    @Bean
    @ConditionalOnMissingBean
    WriteBehindEndpoint writeBehindEndpoint(WriteBehindCaches caches) {
      return new WriteBehindEndpoint(caches);
    }
  }
}
