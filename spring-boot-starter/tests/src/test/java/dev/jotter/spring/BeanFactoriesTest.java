package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jotter.JotterCache;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Writers and loaders that are Spring beans: which bean, and what fails startup. */
class BeanFactoriesTest {

  private static final Duration WRITE_BEHIND = Duration.ofSeconds(10);

  private final ApplicationContextRunner orders = StarterContexts.jotter("jotter-orders.properties");

  @Test
  void theCacheWritesBehindIntoTheNamedBeanAndReadsThroughTheOther() {
    orders.withUserConfiguration(StarterContexts.OrderBeans.class)
        .withPropertyValues("jotter.caches.orders.writer-bean=orderWriter",
            "jotter.caches.orders.loader-bean=orderLoader")
        .run(context -> {
          assertThat(context).hasNotFailed();
          TestBeans.Database database = context.getBean(TestBeans.Database.class);
          Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
          cache.put(1L, "one");
          BootLine.await("order 1 written behind", WRITE_BEHIND,
              () -> "one".equals(database.rows.get(1L)));

          database.rows.put(2L, "two, in the database only");
          assertThat(cache.get(2L)).isEqualTo("two, in the database only");
        });
  }

  @Test
  void withoutANameTheOnlyBeanThatFitsTheTypesIsUsed() {
    orders.withUserConfiguration(StarterContexts.OrderBeans.class, OtherWriterBean.class)
        .run(context -> {
          // OtherWriter is a CacheWriter<String, Integer>: it does not fit Long -> String
          assertThat(context).hasNotFailed();
          Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
          cache.put(3L, "three");
          TestBeans.Database database = context.getBean(TestBeans.Database.class);
          BootLine.await("order 3 written behind", WRITE_BEHIND,
              () -> "three".equals(database.rows.get(3L)));
          assertThat(context.getBean(TestBeans.OtherWriter.class).written).isEmpty();
        });
  }

  @Test
  void twoFittingBeansWithoutANameFailStartupNamingThem() {
    StarterContexts.jotter("jotter-untyped.properties")
        .withUserConfiguration(StarterContexts.OrderBeans.class, OtherWriterBean.class)
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasMessageContaining("Cache 'anything'")
              .hasMessageContaining("needs exactly one CacheWriter bean")
              .hasMessageContaining("orderWriter").hasMessageContaining("otherWriter")
              .hasMessageContaining("jotter.caches.anything.writer-bean");
        });
  }

  @Test
  void anUntypedCacheTakesTheOnlyWriterOfAnyTypes() {
    StarterContexts.jotter("jotter-untyped.properties")
        .withUserConfiguration(OtherWriterBean.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          Cache<Object, Object> cache = context.getBean(CacheManager.class).getCache("anything");
          cache.put("k", 1);
          TestBeans.OtherWriter writer = context.getBean(TestBeans.OtherWriter.class);
          BootLine.await("k written behind", WRITE_BEHIND, () -> writer.written.contains("k"));
        });
  }

  @Test
  void aMissingBeanFailsStartupNamingTheSetting() {
    orders.withUserConfiguration(StarterContexts.OrderBeans.class)
        .withPropertyValues("jotter.caches.orders.writer-bean=noSuchWriter")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasMessageContaining("no CacheWriter bean 'noSuchWriter'");
          assertThat(context.getStartupFailure())
              .hasMessageContaining("jotter.caches.orders.writer-bean");
        });
  }

  @Test
  void noFittingBeanFailsStartup() {
    orders.withUserConfiguration(OtherWriterBean.class)
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasMessageContaining("needs exactly one CacheWriter bean for java.lang.Long ->"
                  + " java.lang.String, but the context has none");
        });
  }

  @Test
  void aBeanSettingForACacheWithAnotherFactoryFailsStartup() {
    StarterContexts.jotter("jotter-plain-writer.properties")
        .withUserConfiguration(StarterContexts.OrderBeans.class)
        .withPropertyValues("jotter.caches.orders.writer-bean=orderWriter")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasMessageContaining("jotter.caches.orders.writer-bean is set")
              .hasMessageContaining("not dev.jotter.spring.BeanWriterFactory");
        });
  }

  @Test
  void aWriterBeanMayDependOnTheCacheManagerItself() {
    orders.withUserConfiguration(WriterNeedingTheCacheManager.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
          cache.put(4L, "four");
          TestBeans.Database database = context.getBean(TestBeans.Database.class);
          BootLine.await("order 4 written behind", WRITE_BEHIND,
              () -> "four".equals(database.rows.get(4L)));
        });
  }

  @Test
  void aCacheCreatedLaterBindsItsBeanOnFirstUse() {
    orders.withUserConfiguration(StarterContexts.OrderBeans.class)
        .run(context -> {
          CacheManager manager = context.getBean(CacheManager.class);
          Cache<Long, String> later = manager.createCache("later",
              new MutableConfiguration<Long, String>().setTypes(Long.class, String.class)
                  .setCacheWriterFactory(new BeanWriterFactory<>("orderWriter"))
                  .setWriteThrough(true));
          later.put(5L, "five"); // write-through: the bean writes before put returns
          assertThat(context.getBean(TestBeans.Database.class).rows).containsEntry(5L, "five");
          assertThat(JotterCache.of(later).writeBehind()).isEmpty();
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OtherWriterBean {
    @Bean
    TestBeans.OtherWriter otherWriter() {
      return new TestBeans.OtherWriter();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class WriterNeedingTheCacheManager {
    @Bean
    TestBeans.Database database() {
      return new TestBeans.Database();
    }

    /** A writer that reads another cache of its manager: a cycle if it were resolved early. */
    @Bean
    TestBeans.OrderWriter orderWriter(TestBeans.Database database, CacheManager manager) {
      assertThat(manager.getCache("plain")).isNotNull();
      return new TestBeans.OrderWriter(database);
    }

    @Bean
    TestBeans.OrderLoader orderLoader(TestBeans.Database database) {
      return new TestBeans.OrderLoader(database);
    }
  }
}
