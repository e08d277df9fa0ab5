package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jotter.configuration.Durability;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal holds users' keys and values: what it creates is private to its owner whatever the
 * umask (the build's is typically 022, which would give {@code rwxr-xr-x} and {@code rw-r--r--}),
 * and it refuses a directory that others may write to.
 */
class JournalPermissionsTest {
  @TempDir Path dir;

  @BeforeEach
  void posixOnly() {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "no POSIX permissions on this file system");
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void createdDirectoriesAndFilesArePrivateToTheOwner() throws IOException {
    Path journalDir = dir.resolve("var/jotter/cache-orders");
    try (FileJournal<String, String> journal = Journals.builder(journalDir, Durability.SYNC)
        .segmentSize(256).syncInterval(Duration.ofHours(1)).withoutJournalThread().open()) {
      for (int i = 0; i < 20; i++) { // several segments, and a compaction's renamed copy
        long seq = journal.appendWrite("k" + i, "value " + i);
        journal.awaitDurable(seq);
        if (i % 3 != 0) {
          journal.markDone(seq);
        }
      }
      journal.appendDead("dead", "v", new DeadMark(3, java.time.Instant.EPOCH,
          java.time.Instant.EPOCH, "java.sql.SQLException", "refused"));
      journal.forceNow();
      journal.maintain(true);
      assertTrue(journal.compactions() > 0, "a compacted segment was written too");
    }
    for (Path created : new Path[] {dir.resolve("var"), dir.resolve("var/jotter"), journalDir}) {
      assertEquals("rwx------", permissions(created), created.toString());
    }
    try (var files = Files.list(journalDir)) {
      for (Path file : files.toList()) {
        assertEquals("rw-------", permissions(file), file.toString());
      }
    }
    assertEquals("rw-------", permissions(journalDir.resolve(DirectoryLock.FILE_NAME)));
    assertTrue(Journals.segmentFiles(journalDir).size() > 1);
  }

  @Test
  void privateUnderAnOpenUmaskToo() throws Exception {
    // this build's umask (022) already hides what the permissions of a write would show: run
    // the journal in a child JVM whose umask is 000, where only Jotter's own settings protect it
    Path journalDir = dir.resolve("open-umask/cache-orders");
    List<String> command = new java.util.ArrayList<>(
        List.of("/bin/sh", "-c", "umask 000 && exec \"$0\" \"$@\""));
    command.addAll(LockHolderMain.command(journalDir));
    Process child = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      LockHolderMain.awaitHeld(child);
      child.getOutputStream().close(); // the child closes its journal and exits
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, child.exitValue());
    } finally {
      child.destroyForcibly();
    }
    for (Path created : new Path[] {dir.resolve("open-umask"), journalDir}) {
      assertEquals("rwx------", permissions(created), created.toString());
    }
    try (var files = Files.list(journalDir)) {
      List<Path> all = files.toList();
      assertFalse(all.isEmpty());
      for (Path file : all) {
        assertEquals("rw-------", permissions(file), file.toString());
      }
    }
  }

  @Test
  void anExistingDirectoryOthersCanWriteToIsRefused() throws IOException {
    Path journalDir = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(journalDir, PosixFilePermissions.fromString("rwxrwxr-x"));
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> Journals.builder(journalDir, Durability.SYNC).open());
    String message = refused.getMessage();
    assertTrue(message.contains(journalDir.toAbsolutePath().toString()), message);
    assertTrue(message.contains("rwxrwxr-x"), message);
    assertTrue(message.contains("chmod 700"), message);
    try (var files = Files.list(journalDir)) {
      assertEquals(0, files.count(), "refused before anything was written there");
    }

    Files.setPosixFilePermissions(journalDir, PosixFilePermissions.fromString("rwx---rwx"));
    assertThrows(IllegalStateException.class,
        () -> Journals.builder(journalDir, Durability.SYNC).open());
  }

  @Test
  void anExistingDirectoryOthersCanOnlyReadIsAcceptedAsItIs() throws IOException {
    // a directory the operator made (or an older Jotter did): readable is the operator's call
    Path journalDir = Files.createDirectory(dir.resolve("readable"));
    Files.setPosixFilePermissions(journalDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (FileJournal<String, String> journal = Journals.builder(journalDir, Durability.SYNC)
        .open()) {
      journal.awaitDurable(journal.appendWrite("k", "v"));
    }
    assertEquals("rwxr-xr-x", permissions(journalDir));
    for (Path segment : Journals.segmentFiles(journalDir)) {
      assertEquals("rw-------", permissions(segment), "new files are private all the same");
    }
  }
}
