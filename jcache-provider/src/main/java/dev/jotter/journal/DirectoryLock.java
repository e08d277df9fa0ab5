package dev.jotter.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The exclusive hold of a journal directory: an OS file lock on {@code journal.lock}, whose
 * content names the holder (pid, host, time) so that a refused opener can say who holds it.
 * The file itself is never deleted: deleting a lock file races with its next opener. Closing
 * empties it, so a name found in it by the next holder is that of a process that ended without
 * closing (killed, crashed): the takeover is logged with that name.
 *
 * <p>Within one JVM the OS lock cannot be relied on alone: POSIX record locks belong to the
 * process, and closing <em>any</em> descriptor of the file releases them (the warning in
 * {@link FileLock}'s javadoc). A refused second opener that opened the file, or even read it,
 * would silently release the first journal's lock and let another process in. So the directories
 * held by this JVM are also kept in {@link #HELD}, checked before the file is touched.
 */
final class DirectoryLock implements AutoCloseable {
  static final String FILE_NAME = "journal.lock";
  private static final Logger LOG = System.getLogger(DirectoryLock.class.getName());

  /** The directories held in this JVM (real paths) and who holds them. */
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  private final FileChannel channel;
  private final FileLock lock;
  private final Path key;

  private DirectoryLock(FileChannel channel, FileLock lock, Path key) {
    this.channel = channel;
    this.lock = lock;
    this.key = key;
  }

  /**
   * Takes the directory or fails.
   *
   * @throws IllegalStateException naming the directory and its holder if another process, or
   *     another journal in this JVM, holds it
   */
  static DirectoryLock acquire(Path directory, JournalFiles files) {
    Path file = directory.resolve(FILE_NAME);
    Path key;
    try {
      key = directory.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lock the journal directory " + directory, e);
    }
    String me = "pid " + ProcessHandle.current().pid() + " on " + host() + " ("
        + ManagementFactory.getRuntimeMXBean().getName() + "), since " + Instant.now();
    String holder = HELD.putIfAbsent(key, me);
    if (holder != null) {
      // do not open the file: closing our descriptor would release the holder's OS lock
      throw new IllegalStateException("The journal directory " + directory.toAbsolutePath()
          + " is in use by another journal in this JVM, " + holder
          + "; a journal directory belongs to one cache of one process at a time");
    }
    FileChannel channel = null;
    try {
      channel = files.openOrCreate(file);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // only if something outside this class locked the file in this JVM
      }
      if (lock == null) {
        throw new IllegalStateException("The journal directory " + directory.toAbsolutePath()
            + " is in use by " + holder(channel)
            + "; a journal directory belongs to one cache of one process at a time");
      }
      // a holder that closed its journal emptied the file; a name left in it ended otherwise
      String previous = contentOf(channel);
      if (!previous.isEmpty()) {
        LOG.log(Level.INFO, () -> "Journal directory " + directory.toAbsolutePath()
            + " taken over from " + previous + ", which ended without releasing it (killed,"
            + " crashed or powered off): its unfinished operations are replayed");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new DirectoryLock(channel, lock, key);
    } catch (IOException e) {
      closeQuietly(channel);
      HELD.remove(key, me);
      throw new UncheckedIOException("Cannot lock the journal directory " + directory, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      HELD.remove(key, me);
      throw e;
    }
  }

  /** Reads the holder through our own channel (the lock is another process's here). */
  private static String holder(FileChannel channel) {
    try {
      String text = contentOf(channel);
      return text.isEmpty() ? "an unknown holder" : text;
    } catch (IOException e) {
      return "an unknown holder (" + e + ")";
    }
  }

  /** The holder line in the file, stripped; empty if none. */
  private static String contentOf(FileChannel channel) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(4096);
    while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
      // read up to 4 KiB: the holder line is short
    }
    return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).strip();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
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
      channel.truncate(0); // released, not abandoned: the next holder has nothing to report
    } catch (IOException ignored) {
      // the next holder then reports a takeover that was none; nothing is lost by it
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    } finally {
      closeQuietly(channel);
      HELD.remove(key);
    }
  }
}
