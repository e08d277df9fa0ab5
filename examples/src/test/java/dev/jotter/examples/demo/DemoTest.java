package dev.jotter.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.examples.demo.Demo.Mode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo, end to end, as {@code main} runs it but without {@code System.exit}. */
class DemoTest {

  @Test
  void defaultWorkloadAgreesInBothModesAndWriteBehindCallsTheWriterFarLess() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Demo.Comparison comparison;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      comparison = Demo.run(Demo.defaultWorkload(), out);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    System.out.print(output);

    assertTrue(comparison.ok(), output);
    assertTrue(output.contains("OK: cache and table agree after both runs"), output);
    Demo.Report behind = comparison.report(Mode.WRITE_BEHIND);
    Demo.Report through = comparison.report(Mode.WRITE_THROUGH);
    for (Demo.Report report : comparison.reports()) {
      assertTrue(report.ok(), report.mode() + ": " + report.agreement().describe());
      assertTrue(report.agreement().agrees(), report.mode() + ": " + output);
      assertEquals(report.cacheSize(), report.tableRows(), report.mode().label());
      assertEquals(4_000, report.workload().operations(), report.mode().label());
      assertTrue(report.writer().entriesWritten() > 0, report.mode() + ": writes reached the writer");
      assertTrue(report.writer().keysDeleted() > 0, report.mode() + ": deletes reached the writer");
    }
    assertEquals(behind.workload().byOperation(), through.workload().byOperation(),
        "the same workload in both modes");

    // Write-behind batches and coalesces: far fewer calls for the same workload (about 15 times
    // fewer on a developer machine; 5 leaves room for slow, shared machines, whose larger batches
    // only widen the gap, and for fast ones, whose batches leave more often).
    assertTrue(behind.writerCalls() * 5 <= through.writerCalls(),
        "writer calls: write-behind " + behind.writerCalls() + ", write-through "
            + through.writerCalls());
    assertTrue(behind.writeBehind().orElseThrow().coalesced() > 0, "hot keys coalesce");
    assertTrue(through.writeBehind().isEmpty(), "write-through has no buffer");
    // Write-through writes every mutation: one writer call per entry or key.
    assertEquals(through.writerCalls(),
        through.writer().entriesWritten() + through.writer().keysDeleted());
    assertTrue(output.lines().anyMatch(line -> line.contains("[write-behind")
        && line.contains("pending") && line.endsWith("<- flushed")), "live lines: " + output);
    assertTrue(output.lines().anyMatch(line -> line.contains("[write-through")),
        "live lines: " + output);
  }

  @Test
  void aSecondRunInTheSameJvmStartsFromScratch() throws Exception {
    Workload small = new Workload(7, 2, 200, 20);
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    Demo.Comparison first = Demo.run(small, quiet);
    Demo.Comparison second = Demo.run(small, quiet);

    assertTrue(first.ok());
    assertTrue(second.ok());
    for (Mode mode : Mode.values()) {
      assertEquals(first.report(mode).workload().byOperation(),
          second.report(mode).workload().byOperation(),
          "the same seed issues the same operations");
    }
  }

  @Test
  void allThreePartsHoldTheirPromiseInAtMostSixtyLines() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean ok;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      ok = Demo.runAll(out);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    System.out.print(output);
    assertTrue(ok, output);
    assertTrue(output.lines().count() <= 60, "the demo prints at most 60 lines: " + output);
    assertTrue(output.contains("OK: nothing acknowledged was lost"), output);
    assertTrue(output.contains("OK: one bad record held up nothing and was not lost"), output);
  }

  @Test
  void theKilledNodesAcknowledgedOrdersAreAllInTheTableAfterTheRestart() throws Exception {
    CrashDemo.Result crash = CrashDemo.run(300, new PrintStream(PrintStream.nullOutputStream()));
    assertTrue(crash.ok(), crash.toString());
    assertTrue(crash.acknowledged() >= 300, crash.toString());
    assertEquals(0, crash.lost(), crash.toString());
    // what was behind at the kill came from the journal; at-least-once may write a few more
    assertTrue(crash.writtenByReplay() >= crash.behindAtKill(), crash.toString());
  }

  @Test
  void thePoisonOrderIsIsolatedListedAndWrittenAfterTheFix() throws Exception {
    PoisonDemo.Result poison = PoisonDemo.run(new PrintStream(PrintStream.nullOutputStream()));
    assertTrue(poison.ok(), poison.toString());
    assertEquals(PoisonDemo.POISON_ID, poison.letters().get(0).key());
    assertEquals(3, poison.letters().get(0).attempts());
    assertTrue(poison.letters().get(0).causeMessage().orElseThrow().contains("constraint"),
        poison.letters().get(0).toString());
  }
}
