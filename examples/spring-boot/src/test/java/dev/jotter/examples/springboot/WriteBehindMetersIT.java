package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Jotter's own write-behind meters ({@code dev.jotter.metrics.JotterMetrics}, bound as a bean in
 * {@link JotterMetersConfiguration}) in the actuator, next to the JCache ones that
 * {@link SpringBootH2IT} checks. Separate from it: its own app, its own counts.
 */
class WriteBehindMetersIT {

  @Test
  void writeBehindMetersOfTheOrdersCacheAppearInTheActuator() throws Exception {
    try (RunningApp app = RunningApp.start("meters")) {
      assertTrue(app.metric("cache.writebehind.pending", "cache:orders") >= 0,
          "cache.writebehind.pending is bound for the declared write-behind cache 'orders'");
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
