package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged application on H2, driven over HTTP. The database is an H2 file that the test opens
 * too ({@code AUTO_SERVER}), so that it can fix a constraint under the running app.
 */
class SpringBootH2IT {

  private static final Duration WRITE_BEHIND = Duration.ofSeconds(20);
  private static RunningApp app;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    url = RunningApp.h2FileUrl("h2");
    app = RunningApp.start("h2", "--spring.datasource.url=" + url);
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

  @Test
  void healthAndTheEndpointShowTheWriteBehindCache() throws Exception {
    String health = app.get("/actuator/health/jotter");
    // (Boot 4's Jackson writes "status" after "details": no order assumed)
    assertTrue(health.contains("\"orders\":{") && health.contains("\"status\":\"UP\"")
        && health.contains("{\"cacheManager\":\"cacheManager\",\"pending\":0,"), health);
    assertTrue(health.contains("\"syncDelayP99\":"), health);
    assertFalse(health.contains("prices"), "prices has no write-behind: " + health);

    String all = app.get("/actuator/writebehind");
    assertTrue(all.startsWith("{\"cacheManagers\":{\"cacheManager\":{\"caches\":{\"orders\":{"),
        all);
    String orders = app.get("/actuator/writebehind/orders");
    assertTrue(orders.contains("\"cache\":\"orders\"") && orders.contains("\"syncDelay\":{")
        && orders.contains("\"drainTimeout\":\"PT3S\""), orders);
    assertEquals(404, app.status("/actuator/writebehind/prices"));
  }

  @Test
  void aPoisonRowIsDeadLetteredThenWrittenByAResubmitOnceTheDatabaseTakesIt() throws Exception {
    // amount -5 violates CHECK (amount_cents >= 0): the writer fails for this row only
    app.put("/orders/301", "{\"customer\":\"poison\",\"amountCents\":-5}");
    app.put("/orders/302", "{\"customer\":\"fine\",\"amountCents\":5}");
    RunningApp.await("order 301 dead-lettered: the cache's health degrades", WRITE_BEHIND,
        () -> app.body("/actuator/health/jotter/orders").contains("\"status\":\"DEGRADED\""));
    String health = app.get("/actuator/health/jotter/orders");
    assertEquals(1, RunningApp.number(health, "deadLetters"), health);
    assertTrue(health.contains("\"reasons\":[\"dead letters 1 >= 1: DEGRADED\"]"), health);
    // DEGRADED ranks below DOWN and OUT_OF_SERVICE (the starter's status order) and answers 200
    String overall = app.get("/actuator/health");
    assertTrue(overall.startsWith("{\"status\":\"DEGRADED\"")
        || overall.endsWith(",\"status\":\"DEGRADED\"}"), overall);
    assertEquals(200, app.status("/orders/302/row"), "the healthy row was written");

    String letters = app.get("/actuator/writebehind/orders/dead-letters?offset=0&limit=10");
    assertEquals(1, RunningApp.number(letters, "total"), letters);
    assertTrue(letters.contains("\"key\":\"301\"") && letters.contains("\"operation\":\"write\"")
        && letters.contains("ORDERS_AMOUNT_NOT_NEGATIVE"), letters);
    assertFalse(letters.contains("poison"), "a dead letter never shows its value: " + letters);

    // the database is fixed; the operator resubmits through the endpoint
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE orders DROP CONSTRAINT orders_amount_not_negative");
    }
    String resubmitted = app.postJson("/actuator/writebehind/orders/resubmit",
        "{\"keys\":\"301\"}");
    assertEquals(1, RunningApp.number(resubmitted, "resubmitted"), resubmitted);
    RunningApp.await("order 301 in the table", WRITE_BEHIND, () -> amount(301) == -5);
    RunningApp.await("the cache is healthy again", WRITE_BEHIND,
        () -> app.body("/actuator/health/jotter/orders").contains("\"status\":\"UP\""));
    String flushed = app.postJson("/actuator/writebehind/orders/flush", "{\"timeout\":\"5s\"}");
    assertTrue(flushed.contains("\"completed\":true"), flushed);
  }

  private static long amount(long id) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT amount_cents FROM orders WHERE id = " + id)) {
      return rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
    }
  }

  private static long written(String store) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"rowsWritten\":(\\d+)").matcher(store);
    assertTrue(m.find(), store);
    return Long.parseLong(m.group(1));
  }
}
