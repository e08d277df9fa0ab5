package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Jotter's own write-behind meters in the actuator, bound by the starter and tagged with the cache
 * manager's bean name, next to the JCache ones that {@link SpringBootH2IT} checks. Separate from it:
 * its own app, its own counts.
 */
class WriteBehindMetersIT {

  @Test
  void writeBehindMetersOfTheOrdersCacheAppearInTheActuator() throws Exception {
    try (RunningApp app = RunningApp.start("meters")) {
      assertTrue(app.metric("cache.writebehind.pending", "cache:orders") >= 0,
          "cache.writebehind.pending is bound for the declared write-behind cache 'orders'");
      // tagged like Spring's own cache meters: the bean name, not the jar:nested: URI
      assertTrue(app.metric("cache.writebehind.pending", "cache:orders",
          "cache.manager:cacheManager") >= 0, "cache.manager is the cache manager's bean name");
      assertTrue(app.get("/actuator/metrics/cache.writebehind.sync.delay").contains(
          "{\"tag\":\"cache.manager\",\"values\":[\"cacheManager\"]}"),
          "the sync delay timer carries the bean name and no URI");
      double written = app.metric("cache.writebehind.written", "cache:orders");
      assertTrue(written >= 0, "cache.writebehind.written is bound");

      for (int id = 1; id <= 5; id++) {
        app.put("/orders/" + (500 + id), "{\"customer\":\"m\",\"amountCents\":" + id + "}");
      }
      RunningApp.await("5 orders counted as written behind", Duration.ofSeconds(20),
          () -> app.metric("cache.writebehind.written", "cache:orders") >= written + 5);
      assertEquals(written + 5, app.metric("cache.writebehind.written", "cache:orders"));
      RunningApp.await("nothing pending", Duration.ofSeconds(20),
          () -> app.metric("cache.writebehind.pending", "cache:orders") == 0);
      assertTrue(app.metric("cache.writebehind.writer.calls", "cache:orders") >= 1,
          "writer calls are timed");
      assertEquals(-1, app.metric("cache.writebehind.pending", "cache:prices"),
          "no write-behind meters for a cache without write-behind");
    }
  }
}
