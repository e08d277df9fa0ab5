package dev.jotter.examples.demo;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Prints Jotter's log lines among the demo's own: on the demo's stream, so that a line logged by
 * a flusher thread never lands in the middle of one the demo prints, and one line per record,
 * without stack traces, so that the output stays short enough to read. A real application keeps
 * its own logging set-up; Jotter logs through {@code System.Logger}, which ends here, in
 * {@code java.util.logging}, when nothing else is configured.
 */
final class DemoLog extends Handler {

  private static final int MAX_LINE = 150;
  private final PrintStream out;

  private DemoLog(PrintStream out) {
    this.out = out;
  }

  /** Replaces the root logger's handlers with one that prints to {@code out}. */
  static void install(PrintStream out) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.INFO);
    root.addHandler(new DemoLog(out));
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    String message = record.getMessage() == null ? "" : record.getMessage();
    String first = message.lines().findFirst().orElse("");
    String line = "  [log] " + record.getLevel() + " " + first;
    // one println: PrintStream locks per call, so the line is never split by another thread's
    out.println(line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE - 3) + "...");
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void close() {
    flush();
  }
}
