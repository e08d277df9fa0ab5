package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.LogCapture;
import dev.jotter.configuration.Durability;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {
  @TempDir Path dir;

  @Test
  void secondJournalOnTheSameDirectoryInThisJvmIsRefused() {
    try (FileJournal<String, String> first = Journals.builder(dir, Durability.SYNC).open()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Journals.builder(dir, Durability.ASYNC).open());
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("another journal in this JVM"), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      first.appendWrite("k", "still usable");
    }
    try (FileJournal<String, String> again = Journals.builder(dir, Durability.SYNC).open()) {
      assertEquals(1, Journals.replay(again).size()); // released by close
    }
  }

  /** Waits until the child holds the journal of {@link #dir}; returns its pid. */
  private static long startHolder(Process child) throws Exception {
    long childPid = LockHolderMain.awaitHeld(child);
    assertEquals(child.pid(), childPid);
    return childPid;
  }

  private Process holder() throws Exception {
    return new ProcessBuilder(LockHolderMain.command(dir))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  @Test
  void takingOverTheJournalOfAKilledProcessLogsWhoHeldIt() throws Exception {
    Process child = holder();
    try {
      long childPid = startHolder(child);
      child.toHandle().destroyForcibly(); // SIGKILL: the lock file still names the child
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      try (LogCapture log = LogCapture.of(DirectoryLock.class);
          FileJournal<String, String> mine = Journals.builder(dir, Durability.SYNC).open()) {
        List<String> lines = log.messages(java.util.logging.Level.INFO, "Journal directory");
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("taken over from pid " + childPid + " on "),
            lines.get(0));
      }
      try (LogCapture log = LogCapture.of(DirectoryLock.class);
          FileJournal<String, String> again = Journals.builder(dir, Durability.SYNC).open()) {
        assertEquals(List.of(), log.messages(java.util.logging.Level.INFO, "Journal directory"),
            "a journal closed by its holder is released, not taken over");
      }
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void journalHeldByAnotherProcessIsRefusedNamingTheHolder() throws Exception {
    Process child = holder();
    try {
      long childPid = startHolder(child);

      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Journals.builder(dir, Durability.SYNC).open());
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + childPid), e.getMessage());

      child.getOutputStream().close(); // the child closes its journal and exits
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, child.exitValue());
      try (LogCapture log = LogCapture.of(DirectoryLock.class);
          FileJournal<String, String> mine = Journals.builder(dir, Durability.SYNC).open()) {
        assertEquals(List.of(), Journals.replay(mine));
        assertEquals(List.of(), log.messages(java.util.logging.Level.INFO, "Journal directory"),
            "the child closed its journal: no takeover");
      }
    } finally {
      child.destroyForcibly();
    }
  }
}
