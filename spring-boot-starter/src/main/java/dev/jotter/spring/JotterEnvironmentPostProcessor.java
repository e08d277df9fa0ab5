package dev.jotter.spring;

import dev.jotter.spi.JotterCachingProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults, at the lowest precedence (any setting of the application's wins):
 *
 * <ul>
 *   <li>{@code spring.cache.jcache.provider = dev.jotter.spi.JotterCachingProvider}: with the
 *       starter, {@code spring.cache.type=jcache} means Jotter, also when another JCache provider is
 *       on the class path (without it, Spring Boot refuses to choose between them);
 *   <li>{@code management.endpoint.health.status.order = DOWN, OUT_OF_SERVICE, DEGRADED, UP,
 *       UNKNOWN}: Spring Boot's order with the {@code DEGRADED} status of the write-behind health
 *       rules ranked below {@code OUT_OF_SERVICE}. Without it an unknown status ranks above {@code
 *       DOWN}, and one degraded cache would hide a database that is down. A {@code DEGRADED}
 *       health answers HTTP 200 (Boot's default for statuses it does not map).
 * </ul>
 *
 * <p>Registered in {@code META-INF/spring.factories}; Spring Boot 4 still reads that
 * registration.
 */
public final class JotterEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

  /** The name of the property source with the defaults. */
  public static final String PROPERTY_SOURCE = "jotterDefaults";
  static final String PROVIDER = "spring.cache.jcache.provider";
  static final String STATUS_ORDER = "management.endpoint.health.status.order";
  static final String DEFAULT_STATUS_ORDER = "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment,
      SpringApplication application) {
    Map<String, Object> defaults = new LinkedHashMap<>();
    if (!environment.containsProperty(PROVIDER)) {
      defaults.put(PROVIDER, JotterCachingProvider.class.getName());
    }
    if (!environment.containsProperty(STATUS_ORDER)
        && !environment.containsProperty(STATUS_ORDER + "[0]")) {
      defaults.put(STATUS_ORDER, DEFAULT_STATUS_ORDER);
    }
    if (!defaults.isEmpty() && !environment.getPropertySources().contains(PROPERTY_SOURCE)) {
      environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, defaults));
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE; // after the application's configuration files are read
  }
}
