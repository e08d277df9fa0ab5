package dev.jotter.journal;

import dev.jotter.configuration.Durability;
import java.nio.file.Path;

/** A child JVM that tries once to open a journal directory and says whether it got it. */
public final class LockProbeMain {
  static final String HELD = "PROBE-HELD";
  static final String REFUSED = "PROBE-REFUSED";

  private LockProbeMain() {}

  public static void main(String[] args) {
    try (FileJournal<String, String> journal =
        Journals.builder(Path.of(args[0]), Durability.SYNC).open()) {
      System.out.println(HELD + " " + journal.directory());
    } catch (IllegalStateException e) {
      System.out.println(REFUSED + " " + e.getMessage());
    }
  }
}
