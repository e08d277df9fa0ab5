package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while the database refuses every write: what cannot be written is named, key by key, in
 * the application's log (Logback's ERROR lines, not only Jotter's standard-error fallback), and
 * before the DataSource closes.
 */
class ShutdownReportIT {

  @Test
  void sigtermWithTheWriterDownNamesTheLostKeysInTheLog() throws Exception {
    String url = RunningApp.h2FileUrl("shutdown");
    RunningApp app = RunningApp.start("shutdown", "--spring.datasource.url=" + url);
    int exit;
    try {
      try (Connection c = DriverManager.getConnection(url, "sa", "");
          Statement s = c.createStatement()) {
        s.execute("ALTER TABLE orders RENAME TO orders_gone"); // every write fails from now on
      }
      for (int id = 9001; id <= 9003; id++) {
        app.put("/orders/" + id, "{\"customer\":\"lost\",\"amountCents\":" + id + "}");
      }
      RunningApp.await("the writer is failing", Duration.ofSeconds(20),
          () -> RunningApp.number(app.get("/actuator/writebehind/orders"), "failed") > 0);
    } finally {
      exit = app.stop(); // SIGTERM
    }
    assertTrue(exit == 0 || exit == 143, "exit code " + exit + "\n" + app.logTail());

    List<String> log = Files.readAllLines(app.log);
    List<String> reports = new ArrayList<>();
    int firstReport = -1;
    int poolShutdown = -1;
    for (int i = 0; i < log.size(); i++) {
      String line = log.get(i);
      // a Logback line (timestamp, level, pid ... logger : message), not "jotter ERROR: ..."
      if (line.matches("^\\S+\\s+ERROR \\d+ --- .*WriteBehindBuffer\\s+: Write-behind of cache"
          + " 'orders'.*")) {
        reports.add(line);
        firstReport = (firstReport < 0) ? i : firstReport;
      }
      if (poolShutdown < 0 && line.contains("HikariPool-1 - Shutdown initiated")) {
        poolShutdown = i;
      }
    }
    String tail = String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
    assertTrue(!reports.isEmpty(), "no ERROR report of the orders cache in the log:\n" + tail);
    String all = String.join("\n", reports);
    for (int id = 9001; id <= 9003; id++) {
      assertTrue(all.contains(String.valueOf(id)), "key " + id + " not named:\n" + all);
    }
    assertTrue(poolShutdown > firstReport,
        "the report comes before the DataSource closes:\n" + tail);
    assertTrue(log.stream().anyMatch(l -> l.contains(" ERROR ") && l.contains("WriteBehindShutdown")
        && l.contains("cacheManager/orders: ") && l.contains(" 3 lost")),
        "the starter's summary names the cache and the count:\n" + tail);
  }
}
