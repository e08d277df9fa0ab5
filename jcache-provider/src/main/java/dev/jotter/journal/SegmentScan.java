package dev.jotter.journal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a journal finds on disk when it opens: its segments, the operations still unfinished, in
 * sequence order, and the damage it repaired or reported.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Reads every segment frame by frame; the first frame whose length, CRC32C or layout is
 *       wrong ends that segment, and nothing after it in the file is trusted.
 *   <li>The newest segment's torn tail (a crash while writing) is truncated at the last good
 *       record and forced, reported at WARNING. Damage in an older segment is reported at ERROR
 *       and the file kept for inspection; later segments are still read.
 *   <li>A DONE mark finishes its operation and, by the per-key rule, the older unfinished
 *       operations of the same key ({@link #implicitlyDone}), so that a lost or late DONE mark
 *       never brings an older state of a key back after a newer one was written.
 *   <li>A compaction that did not finish left a {@code .compacting} copy: it is deleted (the
 *       original is intact).
 *   <li>Never writes to a segment but to cut its torn tail; creates nothing.
 * </ul>
 */
final class SegmentScan<K> {
  static final String COMPACTION_SUFFIX = ".compacting";
  private static final System.Logger LOG = System.getLogger(JournalFiles.LOGGER);
  private static final Pattern SEGMENT_NAME = Pattern.compile("journal-(\\d{20})\\.log");

  /** The segments found, by first sequence, with their ordinals 1, 2, ... by age. */
  final TreeMap<Long, Segment> segments = new TreeMap<>();
  /** The unfinished operations, in sequence order, with the bytes read. */
  final List<Unfinished<K>> unfinished = new ArrayList<>();
  /** Operations without a DONE mark of their own that a newer DONE mark of their key finished. */
  final Set<Long> implicitlyDone = new HashSet<>();
  /** The sequence the next record gets: beyond every sequence and segment name on disk. */
  long nextSequence;
  long corruptTails;
  long corruptSegments;

  /** A WRITE or DELETE read at start-up, unfinished so far. */
  private static final class Scanned {
    final RecordFormat.Frame frame;
    final Segment segment;
    final ByteBuffer key;

    Scanned(RecordFormat.Frame frame, Segment segment) {
      this.frame = frame;
      this.segment = segment;
      this.key = ByteBuffer.wrap(frame.opKey());
    }
  }

  private final TreeMap<Long, Scanned> open = new TreeMap<>();
  private final Map<ByteBuffer, List<Scanned>> openByKey = new HashMap<>();

  private SegmentScan() {}

  /**
   * Reads the journal in {@code directory}.
   *
   * @throws IOException if a file cannot be listed, read, or (a torn tail) truncated and forced
   */
  static <K> SegmentScan<K> of(JournalFiles files, Path directory) throws IOException {
    SegmentScan<K> scan = new SegmentScan<>();
    scan.read(files, directory);
    return scan;
  }

  private void read(JournalFiles files, Path directory) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path file : files.list(directory)) {
      String name = file.getFileName().toString();
      if (name.endsWith(COMPACTION_SUFFIX)) {
        files.deleteIfExists(file); // a compaction that did not finish; the original is intact
      } else if (SEGMENT_NAME.matcher(name).matches()) {
        found.add(file);
      }
    }
    found.sort(null); // zero-padded names sort by first sequence
    long maxSequence = 0;
    long maxName = 0;
    for (int i = 0; i < found.size(); i++) {
      Path file = found.get(i);
      Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
      m.matches();
      long first = Long.parseLong(m.group(1));
      maxName = Math.max(maxName, first);
      Segment segment = new Segment(first, file, 0);
      segment.ordinal = i + 1;
      segments.put(first, segment);
      maxSequence = Math.max(maxSequence, readSegment(files, segment, i == found.size() - 1));
    }
    for (Scanned s : open.values()) {
      Unfinished<K> e = new Unfinished<>(s.frame.sequence, s.frame.size, s.segment);
      e.keyBytes = s.frame.key;
      e.valueBytes = s.frame.value;
      e.delete = s.frame.isDelete();
      e.markBytes = s.frame.mark;
      unfinished.add(e);
      s.segment.live++;
      s.segment.liveBytes += e.frameSize;
    }
    nextSequence = Math.max(maxSequence, maxName) + 1;
  }

  /** Reads one segment; returns the largest sequence in it. */
  private long readSegment(JournalFiles files, Segment segment, boolean newest) throws IOException {
    long maxSequence = 0;
    Path file = segment.path;
    try (RecordFormat.Reader reader = new RecordFormat.Reader(files.openRead(file))) {
      try {
        if (reader.readHeader()) {
          for (RecordFormat.Frame f = reader.next(); f != null; f = reader.next()) {
            maxSequence = Math.max(maxSequence, f.sequence);
            if (f.isOp()) {
              Scanned s = new Scanned(f, segment);
              Scanned duplicate = open.put(f.sequence, s);
              if (duplicate != null) { // never written so; keep the newer copy
                openOfKey(duplicate.key).remove(duplicate);
              }
              openByKey.computeIfAbsent(s.key, k -> new ArrayList<>()).add(s);
            } else {
              done(f.sequence, segment);
            }
          }
        }
        segment.size = reader.position();
      } catch (RecordFormat.Corrupt c) {
        segment.size = c.offset;
        long dropped = reader.fileSize() - c.offset;
        if (newest) {
          cutTail(files, file, c, dropped);
        } else {
          corruptSegments++;
          LOG.log(Level.ERROR, () -> "Journal segment " + file + " is corrupt at offset "
              + c.offset + " (" + c.getMessage() + "): its " + dropped + " bytes from there "
              + "are unreadable; the operations they held are lost or may be written again. "
              + "Later segments are replayed; this file is kept for inspection until its "
              + "readable records are finished.");
        }
      }
    }
    return maxSequence;
  }

  /** A DONE mark: finishes its operation and, by the per-key rule, older ones. */
  private void done(long sequence, Segment segment) {
    implicitlyDone.remove(sequence);
    Scanned done = open.remove(sequence);
    if (done == null) {
      return; // its segment is gone or it was finished already
    }
    if (done.segment != segment) {
      segment.dependsOn.put(done.segment, 0L);
    }
    List<Scanned> sameKey = openOfKey(done.key);
    sameKey.remove(done);
    for (Iterator<Scanned> it = sameKey.iterator(); it.hasNext(); ) {
      Scanned older = it.next();
      if (older.frame.sequence < sequence) {
        it.remove();
        open.remove(older.frame.sequence);
        implicitlyDone.add(older.frame.sequence);
      }
    }
    if (sameKey.isEmpty()) {
      openByKey.remove(done.key);
    }
  }

  /** The open records of a key that has one: every record in {@code open} is listed here too. */
  private List<Scanned> openOfKey(ByteBuffer key) {
    return Objects.requireNonNull(openByKey.get(key), "an open record is listed under its key");
  }

  private void cutTail(JournalFiles files, Path file, RecordFormat.Corrupt c, long dropped)
      throws IOException {
    try (FileChannel channel = files.openWrite(file)) {
      channel.truncate(c.offset);
      try {
        files.force(channel, true);
      } catch (IOException e) {
        throw new IOException("fsync of " + file + " failed: " + e, e);
      }
    }
    corruptTails++;
    LOG.log(Level.WARNING, () -> "Journal " + file + ": torn or corrupt tail at offset "
        + c.offset + " (" + c.getMessage() + "); truncated there, " + dropped
        + " bytes dropped. A crash while writing leaves such a tail; the records before it "
        + "are replayed.");
  }
}
