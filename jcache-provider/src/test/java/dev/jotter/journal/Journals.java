package dev.jotter.journal;

import dev.jotter.configuration.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Test fixtures. */
final class Journals {
  static final JournalSerializer<String, String> STRINGS =
      JournalSerializer.of(JournalCodec.strings(), JournalCodec.strings());

  private Journals() {}

  /** Forces a journal's file channel in a test's own way. */
  interface Forcer {
    void force(FileChannel channel) throws IOException;
  }

  /** The real file system, except that file forces go to {@code forcer}. */
  static JournalFiles forcing(Forcer forcer) {
    return new ForwardingJournalFiles(JournalFiles.REAL) {
      @Override
      public void force(FileChannel channel, boolean metadata) throws IOException {
        forcer.force(channel);
      }
    };
  }

  static FileJournal.Builder<String, String> builder(Path dir, Durability durability) {
    return FileJournal.builder(dir, STRINGS).durability(durability);
  }

  /** An ASYNC journal whose thread never forces on its own: only close does. */
  static FileJournal<String, String> quiet(Path dir, long segmentSize) {
    return builder(dir, Durability.ASYNC).syncInterval(Duration.ofHours(1))
        .segmentSize(segmentSize).open();
  }

  static List<JournalRecord<String, String>> replay(Journal<String, String> journal) {
    List<JournalRecord<String, String>> records = new ArrayList<>();
    journal.replay(records::add);
    return records;
  }

  static List<Path> segmentFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.log"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long firstSequence(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring("journal-".length(), name.length() - ".log".length()));
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
