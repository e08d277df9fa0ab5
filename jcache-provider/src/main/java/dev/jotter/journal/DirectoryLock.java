package dev.jotter.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive hold of a journal directory: an OS file lock on {@code journal.lock}, whose
 * content names the holder (pid, host, time) so that a refused opener can say who holds it.
 * The file itself is never deleted: deleting a lock file races with its next opener.
 */
final class DirectoryLock implements AutoCloseable {
  static final String FILE_NAME = "journal.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the directory or fails.
   *
   * @throws IllegalStateException naming the directory and its holder if another process, or
   *     another journal in this JVM, holds it
   */
  static DirectoryLock acquire(Path directory) {
    Path file = directory.resolve(FILE_NAME);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      boolean inThisJvm = false;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
        inThisJvm = true;
      }
      if (lock == null) {
        String holder = holder(file);
        throw new IllegalStateException("The journal directory " + directory.toAbsolutePath()
            + " is in use by " + (inThisJvm ? "another journal in this JVM, " : "")
            + holder + "; a journal directory belongs to one cache of one process at a time");
      }
      byte[] me = ("pid " + ProcessHandle.current().pid() + " on " + host() + " ("
          + ManagementFactory.getRuntimeMXBean().getName() + "), since " + Instant.now() + "\n")
          .getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me), 0);
      return new DirectoryLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("Cannot lock the journal directory " + directory, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static String holder(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "an unknown holder" : text;
    } catch (IOException e) {
      return "an unknown holder (" + e + ")";
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to keep
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    } finally {
      closeQuietly(channel);
    }
  }
}
