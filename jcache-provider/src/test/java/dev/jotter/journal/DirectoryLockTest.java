package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

  @Test
  void journalHeldByAnotherProcessIsRefusedNamingTheHolder() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), LockHolderMain.class.getName(), dir.toString()))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine(); // blocks until the child holds the lock (or dies: null)
        assertNotNull(line, "the child JVM exited before holding the journal");
      } while (!line.startsWith(LockHolderMain.READY));
      long childPid = Long.parseLong(line.split(" ")[1]);
      assertEquals(child.pid(), childPid);

      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Journals.builder(dir, Durability.SYNC).open());
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + childPid), e.getMessage());

      child.getOutputStream().close(); // the child closes its journal and exits
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, child.exitValue());
      try (FileJournal<String, String> mine = Journals.builder(dir, Durability.SYNC).open()) {
        assertEquals(List.of(), Journals.replay(mine));
      }
    } finally {
      child.destroyForcibly();
    }
  }
}
