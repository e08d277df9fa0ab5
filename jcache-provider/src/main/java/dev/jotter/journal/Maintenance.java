package dev.jotter.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a journal's disk use bounded: deletes the segments nobody needs and compacts old ones
 * that still hold a few unfinished records. Runs on the journal thread (tests call
 * {@link #run} directly), one run at a time, taking the append lock only to read and change the
 * in-memory state, never across file I/O.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A segment is deleted only when it is not active, holds no unfinished operation, and holds
 *       no DONE mark for an operation still on disk in an older segment ({@link Segment#dependsOn}):
 *       deleting it would bring that finished operation back at the next replay. Oldest first,
 *       with a directory force between dependent deletions.
 *   <li>Before removing finished records from the disk (deleting or compacting), the DONE marks
 *       appended so far are forced: a DONE mark also finishes older operations of its key in
 *       other segments, which must not come back once the newer record is gone (found by
 *       {@code CrashStateTest}).
 *   <li>A compaction writes a copy with only the unfinished records, forces it, then renames it
 *       over the original and forces the directory: a power cut leaves the original or the
 *       complete copy, never a torn one. A segment is compacted once it is older than the two
 *       newest retired ones, if at most half of it is still needed or a newer segment waits for
 *       it, and only once its own dependencies are gone (oldest first provides that). Disk use
 *       is at most about three segments plus twice the bytes of the unfinished records.
 *   <li>Once the journal has failed, nothing is deleted or compacted: a failed force is never
 *       retried, and removing more could rely on it.
 * </ul>
 */
final class Maintenance {
  private static final System.Logger LOG = System.getLogger(JournalFiles.LOGGER);
  /** Retired segments this young are not compacted: their records are likely to finish soon. */
  private static final int YOUNG_SEGMENTS = 2;
  private static final int BUFFER_SIZE = 256 << 10;

  /** What maintenance needs of its journal; everything but the forces under the append lock. */
  interface Host {
    Segment active();

    Collection<? extends Unfinished<?>> unfinished();

    /** Stamps the DONE marks in order (see {@link Segment#dependsOn}). */
    long doneStamp();

    boolean hasFailed();

    /** Forces everything appended so far (the DONE marks included); outside the lock. */
    void forceAll();

    /** Forces a file; a failure fails the journal for good. Outside the lock. */
    void force(FileChannel channel, Path file, boolean metadata) throws IOException;

    /** Forces the directory; a failure fails the journal for good. Outside the lock. */
    void forceDirectory() throws IOException;
  }

  private final Path directory;
  private final JournalFiles files;
  private final ReentrantLock appendLock;
  private final TreeMap<Long, Segment> segments;
  private final Host host;
  private final ReentrantLock maintenanceLock = new ReentrantLock();
  final AtomicLong deletedSegments = new AtomicLong();
  final AtomicLong compactions = new AtomicLong();

  /** @param segments the journal's segments, guarded by {@code appendLock} */
  Maintenance(Path directory, JournalFiles files, ReentrantLock appendLock,
      TreeMap<Long, Segment> segments, Host host) {
    this.directory = directory;
    this.files = files;
    this.appendLock = appendLock;
    this.segments = segments;
    this.host = host;
  }

  /**
   * Deletes the segments that are no longer needed and, if {@code compact}, compacts old
   * segments that still hold a few unfinished records. Runs on the journal thread; tests call it
   * directly.
   */
  void run(boolean compact) {
    maintenanceLock.lock();
    try {
      if (hasFailed()) {
        return; // a failed force is never retried: deleting more could rely on it
      }
      deleteFinishedSegments();
      if (compact) {
        for (Segment s = nextCompactionCandidate(null); s != null;
            s = nextCompactionCandidate(s)) {
          compact(s);
          deleteFinishedSegments();
        }
      }
    } catch (IOException e) {
      if (!hasFailed()) {
        LOG.log(Level.WARNING, "Journal maintenance in " + directory + " failed; will retry", e);
      }
    } catch (UncheckedIOException e) {
      // a force before removing finished records failed: the journal has failed (logged once)
    } finally {
      maintenanceLock.unlock();
    }
  }

  private boolean hasFailed() {
    appendLock.lock();
    try {
      return host.hasFailed();
    } finally {
      appendLock.unlock();
    }
  }

  private void deleteFinishedSegments() throws IOException {
    while (true) {
      List<Segment> deletable = new ArrayList<>();
      appendLock.lock();
      try {
        for (Segment s : segments.values()) {
          if (s != host.active() && s.live == 0 && s.dependsOn.isEmpty()) {
            deletable.add(s);
          }
        }
      } finally {
        appendLock.unlock();
      }
      if (deletable.isEmpty()) {
        return;
      }
      forceDoneMarks();
      for (Segment s : deletable) {
        files.deleteIfExists(s.path);
      }
      host.forceDirectory(); // before a newer segment that held their DONE marks may go
      appendLock.lock();
      try {
        for (Segment s : deletable) {
          s.deleted = true;
          segments.remove(s.firstSequence);
          for (Segment other : segments.values()) {
            other.dependsOn.remove(s);
          }
          deletedSegments.incrementAndGet();
        }
      } finally {
        appendLock.unlock();
      }
    }
  }

  /**
   * Forces the DONE marks appended so far, before maintenance removes finished records from the
   * disk. A DONE mark also finishes the older operations of its key (the per-key rule), and
   * those may live in other segments: were a finished record deleted or compacted away while
   * the DONE marks it implied were still unforced, a power cut would bring an older state of
   * its key back (found by CrashStateTest).
   */
  private void forceDoneMarks() {
    host.forceAll();
  }

  /** The next segment after {@code after} (from the oldest if null) worth compacting, or null. */
  private @Nullable Segment nextCompactionCandidate(@Nullable Segment after) {
    appendLock.lock();
    try {
      for (Segment s : segments.values()) {
        if (s == host.active() || host.active().ordinal - s.ordinal <= YOUNG_SEGMENTS) {
          break; // segments are ordered by age
        }
        if ((after != null && s.firstSequence <= after.firstSequence) || s.live == 0
            || !s.dependsOn.isEmpty() || s.liveBytes >= s.size - RecordFormat.HEADER_SIZE) {
          continue;
        }
        boolean waitedFor = false;
        for (Segment other : segments.values()) {
          waitedFor |= other.dependsOn.containsKey(s);
        }
        if (waitedFor || 2 * s.liveBytes <= s.size) {
          return s;
        }
      }
      return null;
    } finally {
      appendLock.unlock();
    }
  }

  /** Rewrites a retired segment with only its unfinished records, then renames it over itself. */
  private void compact(Segment segment) throws IOException {
    Set<Long> keep = new HashSet<>();
    long stamp;
    appendLock.lock();
    try {
      if (segment.deleted) {
        return;
      }
      for (Unfinished<?> e : host.unfinished()) {
        if (e.segment == segment) {
          keep.add(e.sequence);
        }
      }
      stamp = host.doneStamp();
    } finally {
      appendLock.unlock();
    }
    Path temp = segment.path.resolveSibling(
        segment.path.getFileName() + SegmentScan.COMPACTION_SUFFIX);
    long size = RecordFormat.HEADER_SIZE;
    files.deleteIfExists(temp);
    try (RecordFormat.Reader reader = new RecordFormat.Reader(files.openRead(segment.path));
        FileChannel out = files.createNew(temp)) {
      ByteBuffer chunk = ByteBuffer.allocate(BUFFER_SIZE);
      chunk.put(RecordFormat.header());
      try {
        if (reader.readHeader()) {
          for (RecordFormat.Frame f = reader.next(); f != null; f = reader.next()) {
            if (f.isOp() && keep.contains(f.sequence)) {
              byte[] frame = f.encode();
              if (frame.length > chunk.remaining()) {
                chunk.flip();
                JournalFiles.writeFully(out, chunk);
                chunk.clear();
              }
              if (frame.length > chunk.capacity()) {
                JournalFiles.writeFully(out, ByteBuffer.wrap(frame));
              } else {
                chunk.put(frame);
              }
              size += frame.length;
            }
          }
        }
      } catch (RecordFormat.Corrupt c) {
        // an older segment kept after an ERROR report: copy what is readable, like replay
      }
      chunk.flip();
      JournalFiles.writeFully(out, chunk);
      host.force(out, temp, true); // before the rename: else a power cut may leave a torn copy
    }
    forceDoneMarks();
    files.replace(temp, segment.path);
    host.forceDirectory();
    long newSize = size;
    appendLock.lock();
    try {
      long before = segment.size;
      segment.size = newSize;
      for (Segment other : segments.values()) {
        Long last = other.dependsOn.get(segment);
        if (last != null && last <= stamp) {
          other.dependsOn.remove(segment); // its DONE marks name records that are gone now
        }
      }
      compactions.incrementAndGet();
      LOG.log(Level.DEBUG, () -> "Compacted " + segment.path + " from " + before + " to "
          + newSize + " bytes (" + keep.size() + " unfinished records)");
    } finally {
      appendLock.unlock();
    }
  }
}
