package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * When the context closes, the write-behind caches drain into their writer beans before Spring
 * destroys any bean: here the database, which Spring creates after the cache manager (the writer
 * bean is looked up once the singletons exist) and so would destroy before it.
 */
class ShutdownOrderTest {

  private final ApplicationContextRunner slow = StarterContexts.jotter("jotter-slow.properties")
      .withUserConfiguration(LazyDatabase.class);

  @Test
  void pendingWritesReachTheDatabaseBeforeItCloses() {
    TestBeans.Database[] database = new TestBeans.Database[1];
    slow.run(context -> {
      assertThat(context).hasNotFailed();
      Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
      for (long id = 1; id <= 3; id++) {
        cache.put(id, "order " + id); // batches wait ten minutes: pending until the close
      }
      database[0] = context.getBean(TestBeans.Database.class);
      assertThat(database[0].rows).isEmpty();
    });
    // the runner has closed the context
    assertThat(database[0].rows).containsOnlyKeys(1L, 2L, 3L);
    List<String> events = database[0].events;
    assertThat(events).last().isEqualTo("closed");
    assertThat(events).doesNotContain("refused 1", "refused 2", "refused 3");
  }

  @Test
  void withoutTheLifecycleTheDatabaseClosesFirst() {
    // the control: what the starter's WriteBehindShutdown prevents
    TestBeans.Database[] database = new TestBeans.Database[1];
    slow.withPropertyValues("jotter.shutdown.enabled=false").run(context -> {
      Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
      cache.put(1L, "order 1");
      database[0] = context.getBean(TestBeans.Database.class);
    });
    assertThat(database[0].rows).isEmpty();
    assertThat(database[0].events).startsWith("closed").contains("refused 1");
  }

  @Test
  void aStoppedContextFlushesAndKeepsItsCachesOpen() {
    slow.run(context -> {
      Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
      cache.put(7L, "seven");
      context.stop();
      TestBeans.Database database = context.getBean(TestBeans.Database.class);
      assertThat(database.rows).containsEntry(7L, "seven");
      assertThat(cache.isClosed()).isFalse();
      context.start();
      cache.put(8L, "eight");
      assertThat(cache.get(8L)).isEqualTo("eight");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class LazyDatabase {
    @Bean
    @Lazy
    TestBeans.Database database() {
      return new TestBeans.Database();
    }

    @Bean
    @Lazy
    TestBeans.OrderWriter orderWriter(TestBeans.Database database) {
      return new TestBeans.OrderWriter(database);
    }
  }
}
