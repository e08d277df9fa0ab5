package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;

/** The write-behind meters carry the cache manager's bean name, not its URI. */
class MetersTest {

  @Test
  void metersAreTaggedWithTheCacheManagersBeanName() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StarterContexts.jotter("jotter-orders.properties")
        .withUserConfiguration(StarterContexts.OrderBeans.class)
        .run(context -> {
          context.getBean(WriteBehindMeterBinder.class).bindTo(registry);
          Gauge pending = registry.find("cache.writebehind.pending").tag("cache", "orders").gauge();
          assertThat(pending).isNotNull();
          assertThat(pending.getId().getTag("cache.manager")).isEqualTo("cacheManager");
          assertThat(registry.find("cache.writebehind.sync.delay").tag("cache", "orders")
              .tag("cache.manager", "cacheManager").timer()).isNotNull();
          assertThat(registry.find("cache.writebehind.pending").tag("cache", "plain").gauge())
              .isNull();

          // a write-behind cache created later is bound too
          JotterConfiguration<Long, String> later = new JotterConfiguration<Long, String>();
          later.setTypes(Long.class, String.class)
              .setCacheWriterFactory(new BeanWriterFactory<>("orderWriter")).setWriteThrough(true);
          later.setWriteBehind(WriteBehindConfiguration.builder().build());
          context.getBean(CacheManager.class).createCache("later", later);
          assertThat(registry.find("cache.writebehind.pending").tag("cache", "later")
              .tag("cache.manager", "cacheManager").gauge()).isNotNull();
        });
    // the context closed its caches: their meters are gone
    assertThat(registry.find("cache.writebehind.pending").gauges()).isEmpty();
  }

  @Test
  void theDisplayNameFollowsSpringBoot() {
    assertThat(WriteBehindCaches.displayName("cacheManager")).isEqualTo("cacheManager");
    assertThat(WriteBehindCaches.displayName("ordersCacheManager")).isEqualTo("orders");
    assertThat(WriteBehindCaches.displayName("jCacheCacheManager")).isEqualTo("jCache");
    assertThat(WriteBehindCaches.displayName("mine")).isEqualTo("mine");
    assertThat(new MutableConfiguration<>()).isNotNull();
  }
}
