package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The buffer logs a writer outage as one WARN and one recovery INFO, not a line per failure,
 * through System.Logger (here backed by java.util.logging, captured by a handler).
 */
class FailureBurstLoggingTest {

  private LogCapture log;
  private List<LogRecord> records;

  @BeforeEach
  void captureLogs() {
    log = LogCapture.of(WriteBehindBuffer.class);
    records = log.records();
  }

  @AfterEach
  void restoreLogs() {
    log.close();
  }

  /** The failure-burst lines at a level (dead-letter lines have their own test). */
  private List<LogRecord> at(Level level) {
    return records.stream().filter(r -> r.getLevel().equals(level))
        .filter(r -> text(r).startsWith("Writer of cache")).toList();
  }

  private static String text(LogRecord record) {
    return new java.util.logging.SimpleFormatter().formatMessage(record);
  }

  @Test
  void writerFailingAThousandTimesLogsOneWarningAndOneRecovery() {
    try (Harness h = Harness.inline(Harness.defaults()
        .maxAttempts(1_000_000).maxRetryTime(Duration.ofDays(365))
        .maxBackoff(Duration.ofSeconds(1)))) {
      h.writer.failNextCalls.set(1_000);
      for (int i = 0; i < 5; i++) {
        h.put("k" + i, "v" + i);
      }
      while (h.writer.failNextCalls.get() > 0) {
        h.advance(1_000);
      }
      h.advance(10_000);

      assertTrue(h.buffer.statistics().writerCalls() > 1_000, "the writer failed 1,000 calls");
      assertEquals(0, h.buffer.statistics().pendingOperations(), "everything written after all");
      List<LogRecord> warnings = at(Level.WARNING);
      assertEquals(1, warnings.size(), () -> "one WARN for the burst, got " + warnings.size());
      assertTrue(text(warnings.get(0)).contains("'test'"), text(warnings.get(0)));
      assertEquals("database unavailable", warnings.get(0).getThrown().getMessage());
      List<LogRecord> infos = at(Level.INFO);
      assertEquals(1, infos.size(), () -> "one INFO for the recovery, got " + infos);
      String recovery = text(infos.get(0));
      assertTrue(recovery.contains("cache 'test' recovered"), recovery);
      assertTrue(recovery.contains("1000 failed writer calls"), recovery);
      assertTrue(at(Level.SEVERE).isEmpty(), "nothing lost, nothing at ERROR");

      // a later outage is a new burst: one more WARN, one more INFO
      h.writer.failNextCalls.set(3);
      h.put("k0", "again");
      while (h.writer.failNextCalls.get() > 0) {
        h.advance(1_000);
      }
      h.advance(10_000);
      assertEquals(2, at(Level.WARNING).size());
      assertEquals(2, at(Level.INFO).size());
      assertTrue(text(at(Level.INFO).get(1)).contains("3 failed writer calls"),
          text(at(Level.INFO).get(1)));
    }
  }

  @Test
  void poisonRecordRetriedBesideSuccessfulWritesIsOneBurst() {
    try (Harness h = Harness.inline(Harness.defaults().maxAttempts(5))) {
      h.writer.poison = "poison"::equals; // left in the collection: a partial failure
      h.put("poison", "x");
      for (int round = 0; round < 20; round++) {
        h.put("k" + (round % 4), "v" + round);
        h.advance(1_000);
      }
      h.put("k0", "last");
      h.advance(1_000);

      assertEquals(1, h.deadLetters.size(), "the poison was given up after its attempts");
      List<LogRecord> deadLetterLines = records.stream()
          .filter(r -> text(r).contains("gave up") && text(r).contains("poison")).toList();
      assertEquals(1, deadLetterLines.size(), () -> "one dead-letter line, got " + records);
      assertEquals(Level.WARNING, deadLetterLines.get(0).getLevel());
      assertTrue(!text(deadLetterLines.get(0)).contains("=x"), "no value in the log");
      assertEquals(1, at(Level.WARNING).size(), () -> "one WARN, got " + at(Level.WARNING));
      assertEquals(1, at(Level.INFO).size(), () -> "one INFO, got " + at(Level.INFO));
      String recovery = text(at(Level.INFO).get(0));
      assertTrue(recovery.contains("5 failed operation attempts, 1 operations dead-lettered"),
          recovery);
    }
  }

  @Test
  void operationsLostAtCloseAreOneErrorWithCountsAndABoundedKeyList() {
    Harness h = Harness.threaded(Harness.defaults().maxPendingOperations(1_000)
        .batchSize(1_000).drainTimeout(Duration.ofMillis(500))
        .maxAttempts(1_000_000).maxRetryTime(Duration.ofDays(365)));
    try {
      h.writer.failNextCalls.set(Integer.MAX_VALUE);
      for (int i = 0; i < 100; i++) {
        h.put("k" + i, "v" + i);
      }
    } finally {
      h.close(); // advances the fake clock until close gives up draining
    }
    List<LogRecord> errors = records.stream().filter(r -> r.getLevel().equals(Level.SEVERE))
        .toList();
    assertEquals(1, errors.size(), () -> "one ERROR, got " + errors.size());
    String message = text(errors.get(0));
    assertTrue(message.contains("'test'"), message);
    assertTrue(message.contains("100 operations unconfirmed (lost)"), message);
    assertTrue(message.contains("and 80 more"), message);
    assertTrue(!message.contains("v1"), "keys and counts, never values: " + message);
  }
}
