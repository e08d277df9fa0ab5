package dev.jotter.journal;

import dev.jotter.configuration.Durability;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A child JVM that holds a journal directory until its stdin closes. */
public final class LockHolderMain {
  static final String READY = "JOURNAL-HELD";

  private LockHolderMain() {}

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
