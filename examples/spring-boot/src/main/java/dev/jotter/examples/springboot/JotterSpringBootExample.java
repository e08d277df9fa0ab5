package dev.jotter.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * Jotter behind Spring's cache abstraction, through {@code jotter-spring-boot-starter}:
 * {@code spring.cache.type=jcache} (the starter makes Jotter the provider) with the caches declared in
 * {@code jotter.properties} ({@code spring.cache.jcache.config}). The services use the JSR-107
 * annotations; the {@code orders} cache writes behind into the application's database through the
 * {@code orderWriter} bean, and the starter drains it before the {@code DataSource} closes.
 */
@SpringBootApplication
@EnableCaching
public class JotterSpringBootExample {

  public static void main(String[] args) {
    SpringApplication.run(JotterSpringBootExample.class, args);
  }
}
