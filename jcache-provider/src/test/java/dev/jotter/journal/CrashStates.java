package dev.jotter.journal;

import dev.jotter.journal.RecordingFiles.Create;
import dev.jotter.journal.RecordingFiles.Delete;
import dev.jotter.journal.RecordingFiles.DirectoryForce;
import dev.jotter.journal.RecordingFiles.Event;
import dev.jotter.journal.RecordingFiles.Force;
import dev.jotter.journal.RecordingFiles.Rename;
import dev.jotter.journal.RecordingFiles.Truncate;
import dev.jotter.journal.RecordingFiles.Write;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The disk states a power cut can leave after a recorded run (the model of ALICE and
 * CrashMonkey, for one directory): a crash after the first {@code point} events of the log keeps
 * <ul>
 *   <li>of each file, what its last completed force covered, plus any prefix or subset of the
 *       writes and truncates after it, each written one torn at a 512- or 4,096-byte boundary of
 *       the file (a sector or a page); a write that did not make it past the end leaves the file
 *       shorter, one after a hole leaves zeros;
 *   <li>of the directory, the entries its last completed force covered, plus a prefix of the
 *       creates, deletes and renames after it, in which any delete may also be undone (a deleted
 *       segment comes back).
 * </ul>
 * What it does not model: a disk that acknowledges a flush it has not made (nothing above the
 * disk can survive that), and file systems that reorder directory operations other than deletes.
 */
final class CrashStates {
  /** How the changes after the last forces are chosen. */
  enum Variant {
    /** None made it. */
    NOTHING,
    /** All made it (as after a process crash: the page cache survived). */
    EVERYTHING,
    /** Of each file a prefix of its writes, the next one torn at a 512-byte boundary. */
    PREFIX_TORN_512,
    /** As above at a 4,096-byte boundary. */
    PREFIX_TORN_4096,
    /** Of each file any subset of its writes, each whole, torn or lost. */
    SUBSET
  }

  /** The files a crash left: name and content. */
  record State(Map<String, byte[]> files, String description) {}

  private final List<Event> log;

  CrashStates(List<Event> log) {
    this.log = log;
  }

  int points() {
    return log.size() + 1;
  }

  /** The files after a crash that came after the first {@code point} events. */
  State at(int point, Variant variant, Random random) {
    int lastDirectoryForce = -1;
    Map<Integer, Integer> lastForce = new HashMap<>();
    for (int i = 0; i < point; i++) {
      Event e = log.get(i);
      if (e instanceof DirectoryForce) {
        lastDirectoryForce = i;
      } else if (e instanceof Force f) {
        lastForce.put(f.inode(), i);
      }
    }
    StringBuilder description = new StringBuilder("crash after event ").append(point)
        .append(" of ").append(log.size()).append(", ").append(variant);

    TreeMap<String, Integer> directory = new TreeMap<>();
    List<Event> pendingEntries = new ArrayList<>();
    Map<Integer, Content> contents = new HashMap<>();
    Map<Integer, List<Event>> pendingWrites = new HashMap<>();
    for (int i = 0; i < point; i++) {
      Event e = log.get(i);
      if (e instanceof Create || e instanceof Delete || e instanceof Rename) {
        if (i < lastDirectoryForce) {
          apply(directory, e);
        } else {
          pendingEntries.add(e);
        }
        if (e instanceof Create c) {
          contents.put(c.inode(), new Content());
        }
      } else if (e instanceof Write || e instanceof Truncate) {
        int inode = (e instanceof Write w) ? w.inode() : ((Truncate) e).inode();
        if (i < lastForce.getOrDefault(inode, -1)) {
          contents.get(inode).apply(e, Integer.MAX_VALUE);
        } else {
          pendingWrites.computeIfAbsent(inode, k -> new ArrayList<>()).add(e);
        }
      }
    }

    int entries = switch (variant) {
      case NOTHING -> 0;
      case EVERYTHING -> pendingEntries.size();
      default -> random.nextInt(pendingEntries.size() + 1);
    };
    for (int i = 0; i < entries; i++) {
      Event e = pendingEntries.get(i);
      if (e instanceof Delete && variant == Variant.SUBSET && random.nextBoolean()) {
        description.append(", undeleted ").append(((Delete) e).name());
        continue;
      }
      apply(directory, e);
    }
    if (!pendingEntries.isEmpty()) {
      description.append(", ").append(entries).append('/').append(pendingEntries.size())
          .append(" directory changes");
    }

    for (Map.Entry<Integer, List<Event>> p : pendingWrites.entrySet()) {
      Content content = contents.get(p.getKey());
      List<Event> writes = p.getValue();
      switch (variant) {
        case NOTHING -> { }
        case EVERYTHING -> writes.forEach(w -> content.apply(w, Integer.MAX_VALUE));
        case PREFIX_TORN_512, PREFIX_TORN_4096 -> {
          int sector = (variant == Variant.PREFIX_TORN_512) ? 512 : 4096;
          int whole = random.nextInt(writes.size() + 1);
          for (int i = 0; i < whole; i++) {
            content.apply(writes.get(i), Integer.MAX_VALUE);
          }
          if (whole < writes.size()) {
            content.apply(writes.get(whole), tornLength(writes.get(whole), sector, random));
          }
          description.append(", inode ").append(p.getKey()).append(": ").append(whole)
              .append('/').append(writes.size()).append(" writes");
        }
        case SUBSET -> {
          StringBuilder kept = new StringBuilder();
          for (Event w : writes) {
            int choice = random.nextInt(3);
            if (choice == 1) {
              content.apply(w, Integer.MAX_VALUE);
            } else if (choice == 2) {
              content.apply(w, tornLength(w, random.nextBoolean() ? 512 : 4096, random));
            }
            kept.append("-WT".charAt(choice));
          }
          description.append(", inode ").append(p.getKey()).append(": ").append(kept);
        }
        default -> throw new AssertionError(variant);
      }
    }

    Map<String, byte[]> files = new TreeMap<>();
    directory.forEach((name, inode) -> files.put(name, contents.get(inode).bytes()));
    return new State(files, description.toString());
  }

  private static void apply(Map<String, Integer> directory, Event e) {
    if (e instanceof Create c) {
      directory.put(c.name(), c.inode());
    } else if (e instanceof Delete d) {
      directory.remove(d.name());
    } else if (e instanceof Rename r) {
      Integer inode = directory.remove(r.from());
      if (inode != null) {
        directory.put(r.to(), inode);
      }
    }
  }

  /**
   * How much of a write a torn write keeps: up to a random {@code sector} boundary of the file
   * inside it (0 if it has none inside; then it is lost whole, the other way a sector tears).
   */
  private static int tornLength(Event e, int sector, Random random) {
    if (!(e instanceof Write w)) {
      return 0; // a truncate does not tear; it happened or not
    }
    long first = (w.offset() / sector + 1) * sector;
    long end = w.offset() + w.bytes().length;
    if (first >= end) {
      return 0;
    }
    long boundaries = (end - 1 - first) / sector + 1;
    long cut = first + sector * (long) random.nextInt((int) Math.min(boundaries, 1 << 20));
    return (int) (cut - w.offset());
  }

  /** A file's bytes, growing with writes past its end (a hole reads as zeros). */
  private static final class Content {
    private byte[] data = new byte[0];
    private int size;

    void apply(Event e, int limit) {
      if (e instanceof Truncate t) {
        if (limit > 0) {
          resize((int) t.size());
        }
        return;
      }
      Write w = (Write) e;
      int length = Math.min(limit, w.bytes().length);
      if (length == 0) {
        return;
      }
      int end = (int) w.offset() + length;
      if (end > size) {
        resize(end);
      }
      System.arraycopy(w.bytes(), 0, data, (int) w.offset(), length);
    }

    private void resize(int newSize) {
      if (newSize > data.length) {
        data = Arrays.copyOf(data, Math.max(newSize, data.length * 2));
      } else if (newSize < size) {
        Arrays.fill(data, newSize, size, (byte) 0);
      }
      size = newSize;
    }

    byte[] bytes() {
      return Arrays.copyOf(data, size);
    }
  }
}
