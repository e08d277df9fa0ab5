package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged application on PostgreSQL: the test starts an embedded PostgreSQL, hands its JDBC URL
 * to the app, checks the rows in the database itself, stops the database under the running app and
 * starts it again (same data directory, same port).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringBootPostgresIT {

  private static final Duration WRITE_BEHIND = Duration.ofSeconds(30);
  private static Path data;
  private static int port;
  private static EmbeddedPostgres postgres;
  private static RunningApp app;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-postgres-");
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    postgres = startPostgres();
    app = RunningApp.start("postgres",
        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
        "--spring.datasource.username=postgres", "--spring.datasource.password=",
        // while the database is down a writer call fails after 1 s, not Hikari's default 30 s
        "--spring.datasource.hikari.connection-timeout=1000",
        "--jotter.health.writer-failing.threshold=1s");
  }

  private static EmbeddedPostgres startPostgres() throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setPort(port).start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  @Test
  @Order(1)
  void ordersAreWrittenBehindIntoPostgres() throws Exception {
    DataSource db = postgres.getPostgresDatabase();
    for (int id = 1; id <= 50; id++) {
      app.put("/orders/" + id, "{\"customer\":\"c" + id + "\",\"amountCents\":" + id * 100 + "}");
    }
    RunningApp.await("50 orders written behind", WRITE_BEHIND,
        () -> count(db, "SELECT count(*) FROM orders") == 50);
    assertEquals(2500, count(db, "SELECT amount_cents FROM orders WHERE id = 25"));

    for (int id = 1; id <= 10; id++) {
      app.delete("/orders/" + id);
    }
    RunningApp.await("10 orders deleted behind", WRITE_BEHIND,
        () -> count(db, "SELECT count(*) FROM orders") == 40);

    // read-through from PostgreSQL: a row the cache never saw
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO orders (id, customer, amount_cents) VALUES (77, 'pg', 7)");
    }
    assertTrue(app.get("/orders/77").contains("\"customer\":\"pg\""));
  }

  @Test
  @Order(2)
  void aDatabaseOutageTakesHealthDownAndAResubmitWritesTheDeadLettersOnceItIsBack()
      throws Exception {
    postgres.close(); // the database stops; the app keeps taking orders into the cache
    for (int id = 901; id <= 903; id++) {
      app.put("/orders/" + id, "{\"customer\":\"outage\",\"amountCents\":" + id + "}");
    }
    RunningApp.await("the cache's health is DOWN: the writer has failed for over 1 s",
        WRITE_BEHIND,
        () -> app.body("/actuator/health/jotter/orders").contains("\"status\":\"DOWN\""));
    String down = app.body("/actuator/health/jotter/orders");
    assertTrue(RunningApp.number(down, "pending") > 0, down);
    assertTrue(down.contains("writer failing for PT") && down.contains("> PT1S: DOWN"), down);
    assertEquals(503, app.status("/actuator/health"), "a DOWN cache makes the app DOWN");

    RunningApp.await("the three orders are dead letters (4 attempts each)", Duration.ofSeconds(90),
        () -> RunningApp.number(app.get("/actuator/writebehind/orders/dead-letters"), "total") == 3);
    String letters = app.get("/actuator/writebehind/orders/dead-letters");
    for (int id = 901; id <= 903; id++) {
      assertTrue(letters.contains("\"key\":\"" + id + "\""), letters);
    }
    String degraded = app.body("/actuator/health/jotter/orders");
    assertTrue(degraded.contains("\"status\":\"DEGRADED\"") && degraded.contains("\"deadLetters\":3"),
        "nothing pending, three dead letters: " + degraded);

    postgres = startPostgres(); // the database is back, with its data
    DataSource db = postgres.getPostgresDatabase();
    assertEquals(0, count(db, "SELECT count(*) FROM orders WHERE id BETWEEN 901 AND 903"));
    String resubmitted = app.postJson("/actuator/writebehind/orders/resubmit", "{}");
    assertEquals(3, RunningApp.number(resubmitted, "resubmitted"), resubmitted);
    RunningApp.await("the three orders in the table", WRITE_BEHIND,
        () -> count(db, "SELECT count(*) FROM orders WHERE id BETWEEN 901 AND 903") == 3);
    assertEquals(902, count(db, "SELECT amount_cents FROM orders WHERE id = 902"));
    RunningApp.await("the cache is healthy again", WRITE_BEHIND,
        () -> app.body("/actuator/health/jotter/orders").contains("\"status\":\"UP\""));
  }

  @Test
  @Order(3)
  void theLastWriteIsDrainedIntoPostgresOnShutdown() throws Exception {
    DataSource db = postgres.getPostgresDatabase();
    // still queued when the app is told to stop: the starter drains the cache while the context
    // stops, before the DataSource closes
    app.put("/orders/999", "{\"customer\":\"last\",\"amountCents\":999}");
    int exit = app.stop();
    assertTrue(exit == 0 || exit == 143, "exit code " + exit + "\n" + app.logTail());
    assertEquals(999, count(db, "SELECT amount_cents FROM orders WHERE id = 999"),
        "written on shutdown");
  }

  private static long count(DataSource db, String sql) {
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
