package dev.jotter.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo, end to end, as {@code main} runs it but without {@code System.exit}. */
class DemoTest {

  @Test
  void defaultWorkloadLeavesCacheAndTableInAgreement() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Demo.Report report;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      report = Demo.run(Demo.defaultWorkload(), out);
    }
    String summary = printed.toString(StandardCharsets.UTF_8);
    System.out.print(summary);

    assertTrue(report.ok(), summary);
    assertTrue(summary.contains("OK: cache and table agree on "), summary);
    assertEquals(4_000, report.workload().operations());
    assertEquals(report.cacheSize(), report.tableRows());
    assertTrue(report.writer().entriesWritten() > 0, "writes reached the writer");
    assertTrue(report.writer().keysDeleted() > 0, "deletes reached the writer");
  }

  @Test
  void aSecondRunInTheSameJvmStartsFromScratch() throws Exception {
    Workload small = new Workload(7, 2, 200, 20);
    Demo.Report first = Demo.run(small, new PrintStream(PrintStream.nullOutputStream()));
    Demo.Report second = Demo.run(small, new PrintStream(PrintStream.nullOutputStream()));

    assertTrue(first.ok());
    assertTrue(second.ok());
    assertEquals(first.workload().byOperation(), second.workload().byOperation(),
        "the same seed issues the same operations");
  }
}
