package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged application on PostgreSQL: the test starts an embedded PostgreSQL, hands its JDBC URL
 * to the app, and checks the rows in the database itself.
 */
class SpringBootPostgresIT {

  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void ordersAreWrittenBehindIntoPostgresAndDrainedOnShutdown() throws Exception {
    DataSource db = postgres.getPostgresDatabase();
    RunningApp app = RunningApp.start("postgres",
        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
        "--spring.datasource.username=postgres", "--spring.datasource.password=");
    try {
      for (int id = 1; id <= 50; id++) {
        app.put("/orders/" + id, "{\"customer\":\"c" + id + "\",\"amountCents\":" + id * 100 + "}");
      }
      RunningApp.await("50 orders written behind", Duration.ofSeconds(30),
          () -> count(db, "SELECT count(*) FROM orders") == 50);
      assertEquals(2500, count(db, "SELECT amount_cents FROM orders WHERE id = 25"));

      for (int id = 1; id <= 10; id++) {
        app.delete("/orders/" + id);
      }
      RunningApp.await("10 orders deleted behind", Duration.ofSeconds(30),
          () -> count(db, "SELECT count(*) FROM orders") == 40);

      // read-through from PostgreSQL: a row the cache never saw
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO orders (id, customer, amount_cents) VALUES (77, 'pg', 7)");
      }
      assertTrue(app.get("/orders/77").contains("\"customer\":\"pg\""));

      // the last write is still queued when the app is told to stop: closing the cache manager
      // drains it into the database before the DataSource closes
      app.put("/orders/999", "{\"customer\":\"last\",\"amountCents\":999}");
    } finally {
      int exit = app.stop();
      assertTrue(exit == 0 || exit == 143, "exit code " + exit + "\n" + app.logTail());
    }
    assertEquals(999, count(db, "SELECT amount_cents FROM orders WHERE id = 999"),
        "written on shutdown");
  }

  private static long count(DataSource db, String sql) throws Exception {
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }
}
