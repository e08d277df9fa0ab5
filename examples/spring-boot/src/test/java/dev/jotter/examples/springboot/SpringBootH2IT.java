package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged application on its default database (H2 in memory), driven over HTTP. */
class SpringBootH2IT {

  private static final Duration WRITE_BEHIND = Duration.ofSeconds(20);
  private static RunningApp app;

  @BeforeAll
  static void start() throws Exception {
    app = RunningApp.start("h2");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      int exit = app.stop();
      // 143 (SIGTERM) or 0: either way Spring closed the context through its shutdown hook
      assertTrue(exit == 0 || exit == 143, "exit code " + exit + "\n" + app.logTail());
    }
  }

  @Test
  void jotterIsTheProviderAndItsConfigurationComesFromInsideTheFatJar() throws Exception {
    String info = app.get("/jcache");
    assertTrue(info.contains("\"provider\":\"dev.jotter.spi.JotterCachingProvider\""), info);
    assertTrue(info.contains("\"uri\":\"jar:nested:"), info);
    assertTrue(info.contains("/!BOOT-INF/classes/!/jotter.properties\""), info);
    assertTrue(info.contains("\"caches\":[\"orders\",\"prices\"]"), info);
  }

  @Test
  void theFourAnnotationsDriveThePricesCache() throws Exception {
    long computed = Long.parseLong(app.get("/prices-computed"));
    String first = app.get("/prices/annotations-1");
    assertEquals(first, app.get("/prices/annotations-1"));
    assertEquals(computed + 1, Long.parseLong(app.get("/prices-computed")), "@CacheResult hit");

    app.put("/prices/annotations-1", "4242");
    assertEquals("4242", app.get("/prices/annotations-1"), "@CachePut");
    assertEquals(computed + 1, Long.parseLong(app.get("/prices-computed")));

    app.delete("/prices/annotations-1");
    assertEquals(first, app.get("/prices/annotations-1"), "@CacheRemove: computed again");
    assertEquals(computed + 2, Long.parseLong(app.get("/prices-computed")));

    app.get("/prices/annotations-2");
    app.delete("/prices");
    app.get("/prices/annotations-1");
    app.get("/prices/annotations-2");
    assertEquals(computed + 5, Long.parseLong(app.get("/prices-computed")), "@CacheRemoveAll");
  }

  @Test
  void actuatorShowsRealJCacheCountsForAJotterCache() throws Exception {
    // the meters Boot binds through Micrometer's JCacheMetrics, read from Jotter's statistics MBean
    double hits = app.metric("cache.gets", "name:prices", "result:hit");
    double misses = app.metric("cache.gets", "name:prices", "result:miss");
    double puts = app.metric("cache.puts", "name:prices");
    double removals = app.metric("cache.removals", "name:prices");
    assertTrue(hits >= 0 && misses >= 0 && puts >= 0 && removals >= 0,
        "JCacheMetrics meters are bound for the Jotter cache 'prices'");

    app.get("/prices/metrics-1");          // miss, then put
    app.get("/prices/metrics-1");          // hit
    app.get("/prices/metrics-1");          // hit
    app.put("/prices/metrics-2", "7");     // put
    app.delete("/prices/metrics-1");       // removal

    assertEquals(hits + 2, app.metric("cache.gets", "name:prices", "result:hit"), "cache.gets hit");
    assertEquals(misses + 1, app.metric("cache.gets", "name:prices", "result:miss"),
        "cache.gets miss");
    assertEquals(puts + 2, app.metric("cache.puts", "name:prices"), "cache.puts");
    assertEquals(removals + 1, app.metric("cache.removals", "name:prices"), "cache.removals");
  }

  @Test
  void ordersAreWrittenBehindIntoTheDatabaseAndDeletedBehind() throws Exception {
    assertEquals(404, app.status("/orders/101/row"));
    app.put("/orders/101", "{\"customer\":\"ada\",\"amountCents\":1250}");
    // cached at once ...
    assertTrue(app.get("/orders/101").contains("\"customer\":\"ada\""));
    // ... and in the database soon after
    RunningApp.await("order 101 written behind", WRITE_BEHIND,
        () -> app.status("/orders/101/row") == 200);
    assertTrue(app.get("/orders/101/row").contains("\"amountCents\":1250"));

    app.put("/orders/101", "{\"customer\":\"ada\",\"amountCents\":999}");
    RunningApp.await("order 101 updated behind", WRITE_BEHIND,
        () -> app.get("/orders/101/row").contains("\"amountCents\":999"));

    app.delete("/orders/101");
    RunningApp.await("order 101 deleted behind", WRITE_BEHIND,
        () -> app.status("/orders/101/row") == 404);
    assertEquals(404, app.status("/orders/101"));
  }

  @Test
  void cacheResultOnTheWriteBehindCacheReadsThroughAndNeverWritesBack() throws Exception {
    app.post("/orders/202/row", "{\"customer\":\"grace\",\"amountCents\":300}");
    long written = written(app.get("/orders-store"));

    // a miss is loaded by the cache's loader: the @CacheResult method body never runs ...
    assertTrue(app.get("/orders/202").contains("\"customer\":\"grace\""));
    assertTrue(app.get("/orders/202").contains("\"customer\":\"grace\""));
    // ... an unknown id is a 404 and puts nothing ...
    assertEquals(404, app.status("/orders/203"));
    // ... and what was loaded is not written back: a later put is the only write flushed
    app.put("/orders/204", "{\"customer\":\"linus\",\"amountCents\":1}");
    RunningApp.await("order 204 written behind", WRITE_BEHIND,
        () -> written(app.get("/orders-store")) > written);
    assertEquals(200, app.status("/orders/204/row"));
    assertEquals(written + 1, written(app.get("/orders-store")), "only the put was written");
  }

  private static long written(String store) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"rowsWritten\":(\\d+)").matcher(store);
    assertTrue(m.find(), store);
    return Long.parseLong(m.group(1));
  }
}
