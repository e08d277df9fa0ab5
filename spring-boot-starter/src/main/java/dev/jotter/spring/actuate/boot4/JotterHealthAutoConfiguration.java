package dev.jotter.spring.actuate.boot4;

import dev.jotter.spring.JotterAutoConfiguration;
import dev.jotter.spring.JotterProperties;
import dev.jotter.spring.WriteBehindCaches;
import dev.jotter.spring.actuate.WriteBehindHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code jotter} health contributor on Spring Boot 4.0 ({@code
 * org.springframework.boot.health.contributor}): one indicator per write-behind cache, by the
 * {@code jotter.health.*} rules of {@link WriteBehindHealth}; {@code
 * management.health.jotter.enabled} switches it off. The twin of {@code
 * dev.jotter.spring.actuate.boot3.JotterHealthAutoConfiguration}, line for line but for the
 * package of the health API and its iteration ({@code HealthContributors.Entry}).
 */
@AutoConfiguration(after = JotterAutoConfiguration.class)
@ConditionalOnClass(name = {
    "org.springframework.boot.health.contributor.HealthIndicator",
    "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"})
public class JotterHealthAutoConfiguration {

  /** Nested, so that its conditions are read only on Spring Boot 4. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBean(WriteBehindCaches.class)
  @ConditionalOnEnabledHealthIndicator("jotter")
  static class Enabled {

    @Bean
    @ConditionalOnMissingBean(name = "jotterHealthContributor")
    CompositeHealthContributor jotterHealthContributor(WriteBehindCaches caches,
        JotterProperties properties) {
      return new Caches(caches, new WriteBehindHealth(properties.getHealth()));
    }
  }

  /** The caches, read at every request (caches may come and go). */
  static final class Caches implements CompositeHealthContributor {
    private final WriteBehindCaches caches;
    private final WriteBehindHealth health;

    Caches(WriteBehindCaches caches, WriteBehindHealth health) {
      this.caches = caches;
      this.health = health;
    }

    @Override
    public HealthContributor getContributor(String name) {
      Map<String, List<String>> tree = WriteBehindHealth.tree(caches);
      if (tree.size() == 1) {
        Map.Entry<String, List<String>> only = tree.entrySet().iterator().next();
        return only.getValue().contains(name) ? new OneCache(only.getKey(), name) : null;
      }
      List<String> names = tree.get(name);
      return (names == null) ? null : new Manager(name, names);
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
      Map<String, List<String>> tree = WriteBehindHealth.tree(caches);
      List<HealthContributors.Entry> children = new ArrayList<>();
      if (tree.size() == 1) {
        Map.Entry<String, List<String>> only = tree.entrySet().iterator().next();
        for (String cache : only.getValue()) {
          children.add(new HealthContributors.Entry(cache, new OneCache(only.getKey(), cache)));
        }
      } else {
        tree.forEach((manager, names) ->
            children.add(new HealthContributors.Entry(manager, new Manager(manager, names))));
      }
      return children.stream();
    }

    /** The caches of one of several cache managers. */
    final class Manager implements CompositeHealthContributor {
      private final String manager;
      private final List<String> names;

      Manager(String manager, List<String> names) {
        this.manager = manager;
        this.names = names;
      }

      @Override
      public HealthContributor getContributor(String name) {
        return names.contains(name) ? new OneCache(manager, name) : null;
      }

      @Override
      public Stream<HealthContributors.Entry> stream() {
        return names.stream().map(cache -> new HealthContributors.Entry(cache,
            new OneCache(manager, cache)));
      }
    }

    /** One cache. */
    final class OneCache implements HealthIndicator {
      private final String manager;
      private final String name;

      OneCache(String manager, String name) {
        this.manager = manager;
        this.name = name;
      }

      @Override
      public Health health() {
        WriteBehindHealth.Result result = health.check(caches, manager, name);
        return Health.status(result.status()).withDetails(result.details()).build();
      }
    }
  }
}
