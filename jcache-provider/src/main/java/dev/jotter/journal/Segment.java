package dev.jotter.journal;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One segment file and what the journal knows about it; guarded by the journal's append lock. */
final class Segment {
  final long firstSequence;
  final Path path;
  /** Creation order in this process (segments found at start-up first), for the age of a segment. */
  long ordinal;
  /** Open for writing while active, and after that until a sync has forced it; else null. */
  @Nullable FileChannel channel;
  /** Bytes on disk, plus bytes still in the write buffer while active. */
  long size;
  /** Unfinished operations whose record lives here. */
  int live;
  long liveBytes;
  /**
   * The older segments that hold operations this one has DONE records for, each with the done
   * stamp of the newest such record. While one of them is still on disk, deleting this segment
   * would bring their finished operations back at the next replay.
   */
  final Map<Segment, Long> dependsOn = new HashMap<>();
  boolean deleted;

  Segment(long firstSequence, Path path, long size) {
    this.firstSequence = firstSequence;
    this.path = path;
    this.size = size;
  }

  static String fileName(long firstSequence) {
    return String.format("journal-%020d.log", firstSequence);
  }

  @Override
  public String toString() {
    return path.getFileName() + "[size=" + size + ", live=" + live + "]";
  }
}
