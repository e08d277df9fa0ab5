package dev.jotter.journal;

import dev.jotter.configuration.Durability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** A child JVM that holds a journal directory until its stdin closes. */
public final class LockHolderMain {
  static final String READY = "JOURNAL-HELD";

  private LockHolderMain() {}

  /**
   * The command that runs this main on {@code directory} in a child JVM of the same class path.
   */
  static List<String> command(Path directory) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LockHolderMain.class.getName(),
        directory.toString());
  }

  /** Waits until the child holds its journal; returns its pid. Fails if it exits first. */
  static long awaitHeld(Process child) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine(); // blocks until the child holds the lock (or dies: null)
      if (line == null) {
        throw new AssertionError("the child JVM exited before holding the journal");
      }
    } while (!line.startsWith(READY));
    return Long.parseLong(line.split(" ")[1]);
  }

  public static void main(String[] args) throws Exception {
    try (FileJournal<String, String> journal =
        Journals.builder(Path.of(args[0]), Durability.SYNC).open()) {
      System.out.println(READY + " " + ProcessHandle.current().pid() + " " + journal.directory());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // hold until the parent closes our stdin
      }
    }
  }
}
