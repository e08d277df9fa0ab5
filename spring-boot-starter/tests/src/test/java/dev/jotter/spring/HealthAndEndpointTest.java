package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jotter.spring.actuate.WriteBehindEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/**
 * A poison row (the database refuses it, as a CHECK constraint would): the cache's health degrades,
 * the endpoint lists the dead letter without its value, and once the database accepts the row a
 * resubmit through the endpoint writes it.
 */
class HealthAndEndpointTest {

  private static final Duration WRITE_BEHIND = Duration.ofSeconds(10);

  @Test
  void aPoisonRowDegradesHealthIsListedAndIsWrittenOnResubmit() {
    StarterContexts.jotter("jotter-orders.properties")
        .withUserConfiguration(StarterContexts.OrderBeans.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          Object contributor = context.getBean("jotterHealthContributor");
          WriteBehindEndpoint endpoint = context.getBean(WriteBehindEndpoint.class);
          TestBeans.Database database = context.getBean(TestBeans.Database.class);
          Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");

          assertThat(BootLine.health(contributor, "orders").status()).isEqualTo("UP");
          cache.put(1L, "fine");
          cache.put(2L, "poison: secret value");
          BootLine.await("order 2 dead-lettered", WRITE_BEHIND,
              () -> "DEGRADED".equals(BootLine.health(contributor, "orders").status()));
          assertThat(database.rows).containsOnlyKeys(1L);

          BootLine.Health health = BootLine.health(contributor, "orders");
          assertThat(health.details()).containsEntry("cacheManager", "cacheManager")
              .containsEntry("deadLetters", 1L).containsEntry("pending", 0L)
              .containsKeys("lag", "writerFailingFor", "syncDelayP50", "syncDelayP99");
          assertThat((List<Object>) health.details().get("reasons"))
              .containsExactly("dead letters 1 >= 1: DEGRADED");

          Map<String, Object> state = endpoint.cache("orders", null);
          assertThat(state).containsEntry("deadLetters", 1L).containsEntry("written", 1L)
              .containsEntry("cacheManager", "cacheManager");
          assertThat(endpoint.cache("nope", null)).isNull();
          assertThat(endpoint.caches()).extractingByKey("cacheManagers").asString()
              .contains("cacheManager").contains("orders").doesNotContain("plain");

          Map<String, Object> page = endpoint.deadLetters("orders", "dead-letters", null, null, null);
          assertThat(page).containsEntry("total", 1).containsEntry("offset", 0)
              .containsEntry("limit", 100);
          List<?> letters = (List<?>) page.get("deadLetters");
          assertThat(letters).hasSize(1);
          @SuppressWarnings("unchecked")
          Map<String, Object> letter = (Map<String, Object>) letters.get(0);
          assertThat(letter).containsEntry("key", "2").containsEntry("operation", "write")
              .containsEntry("cause", "javax.cache.integration.CacheWriterException")
              .containsEntry("message", "row 2 violates a constraint");
          assertThat(page.toString()).doesNotContain("secret value");
          assertThat((List<Object>) endpoint.deadLetters("orders", "dead-letters", 1, 10, null)
              .get("deadLetters")).isEmpty();
          assertThatThrownBy(() -> endpoint.deadLetters("orders", "nope", null, null, null))
              .isInstanceOf(InvalidEndpointRequestException.class);
          assertThatThrownBy(() -> endpoint.act("orders", "discard", null, null, null, null))
              .isInstanceOf(InvalidEndpointRequestException.class)
              .hasMessageContaining("all=true");

          // the database is fixed; the operator resubmits through the endpoint
          database.poisonPrefix = null;
          Map<String, Object> resubmitted = endpoint.act("orders", "resubmit", List.of("2"), null,
              null, null);
          assertThat(resubmitted).containsEntry("resubmitted", 1);
          Map<String, Object> flushed = endpoint.act("orders", "flush", null, null, "5s", null);
          assertThat(flushed).containsEntry("completed", true).containsEntry("pending", 0L);
          assertThat(database.rows).containsEntry(2L, "poison: secret value");
          assertThat(BootLine.health(contributor, "orders").status()).isEqualTo("UP");
          assertThat(BootLine.health(contributor, "orders").details()).doesNotContainKey("reasons");
        });
  }

  @Test
  void aWriterFailingLongerThanItsThresholdIsDown() {
    StarterContexts.jotter("jotter-retrying.properties")
        .withUserConfiguration(StarterContexts.OrderBeans.class)
        .withPropertyValues("jotter.health.writer-failing.threshold=0s",
            "jotter.health.dead-letters.status=UP")
        .run(context -> {
          Object contributor = context.getBean("jotterHealthContributor");
          TestBeans.Database database = context.getBean(TestBeans.Database.class);
          Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
          database.poisonPrefix = ""; // every row refused: the database is as good as down
          cache.put(9L, "nine");
          BootLine.await("the writer is failing", WRITE_BEHIND,
              () -> "DOWN".equals(BootLine.health(contributor, "orders").status()));
          assertThat(BootLine.health(contributor, "orders").details().get("reasons").toString())
              .contains("writer failing for");
          assertThat(BootLine.health(contributor, "orders").details().get("pending")).isEqualTo(1L);
        });
  }

  @Test
  void discardDropsTheNamedDeadLetters() {
    StarterContexts.jotter("jotter-orders.properties")
        .withUserConfiguration(StarterContexts.OrderBeans.class)
        .run(context -> {
          WriteBehindEndpoint endpoint = context.getBean(WriteBehindEndpoint.class);
          Cache<Long, String> cache = context.getBean(CacheManager.class).getCache("orders");
          cache.put(3L, "poison 3");
          cache.put(4L, "poison 4");
          BootLine.await("two dead letters", WRITE_BEHIND,
              () -> Long.valueOf(2).equals(endpoint.cache("orders", null).get("deadLetters")));
          assertThat(endpoint.act("orders", "discard", List.of("3", "99"), null, null, null))
              .containsEntry("discarded", 1).containsEntry("deadLetters", 1);
          assertThat(endpoint.act("orders", "discard", null, true, null, null))
              .containsEntry("discarded", 1).containsEntry("deadLetters", 0);
          assertThat(endpoint.cache("orders", null)).containsEntry("deadLettersDiscarded", 2L);
        });
  }
}
