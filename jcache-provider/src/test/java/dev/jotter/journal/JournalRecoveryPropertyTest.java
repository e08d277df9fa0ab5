package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random histories of appends, DONE marks and restarts, then random damage to one segment file:
 * reopening never throws, never invents or alters a record, keeps sequence order, and loses
 * only a suffix of the damaged segment.
 */
class JournalRecoveryPropertyTest {

  /** kind 0-4 write, 5-6 delete, 7-9 mark done the {@code pick}-th appended, 10 restart. */
  record Action(int kind, int key, String value, int pick) {}

  enum DamageKind { NONE, TRUNCATE, FLIP_BIT, APPEND_GARBAGE, OVERWRITE }

  record Damage(DamageKind kind, int file, int offset, int bit, byte[] garbage) {
    @Override
    public String toString() {
      return kind + "(file#" + file + ", offset " + offset + ", bit " + bit + ", garbage "
          + garbage.length + "B)";
    }
  }

  @Provide
  Arbitrary<List<Action>> histories() {
    Arbitrary<Action> action = Combinators.combine(
        Arbitraries.integers().between(0, 10).edgeCases(c -> c.includeOnly(0, 7, 10)),
        Arbitraries.integers().between(0, 4),
        Arbitraries.strings().alpha().numeric().ofMaxLength(40),
        Arbitraries.integers().between(0, 10_000)).as(Action::new);
    return action.list().ofMinSize(1).ofMaxSize(80);
  }

  @Provide
  Arbitrary<Damage> damages() {
    return Combinators.combine(
        Arbitraries.of(DamageKind.class),
        Arbitraries.integers().between(0, 1000),
        Arbitraries.integers().between(0, 1_000_000),
        Arbitraries.integers().between(0, 7),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)).as(Damage::new);
  }

  /** What the test wrote, with the journal's per-key rule for DONE marks mirrored. */
  static final class Model {
    final Map<Long, JournalRecord<String, String>> written = new LinkedHashMap<>();
    final Set<Long> done = new HashSet<>();
    final List<Long> appended = new ArrayList<>();

    void markDone(long sequence) {
      if (done.contains(sequence)) {
        return;
      }
      String key = written.get(sequence).key();
      for (JournalRecord<String, String> r : written.values()) {
        if (r.sequence() <= sequence && r.key().equals(key)) {
          done.add(r.sequence());
        }
      }
    }

    List<JournalRecord<String, String>> unfinished() {
      return written.values().stream().filter(r -> !done.contains(r.sequence())).toList();
    }
  }

  @Property(tries = 300)
  void damagedJournalReopensWithoutInventingOrReorderingRecords(
      @ForAll("histories") List<Action> history, @ForAll("damages") Damage damage,
      @ForAll @IntRange(min = 256, max = 1024) int segmentSize) throws IOException {
    Path dir = Files.createTempDirectory("journal-property");
    try {
      Model model = run(dir, history, segmentSize);
      List<Path> files = Journals.segmentFiles(dir);
      TreeMap<Long, Path> bySequence = new TreeMap<>();
      files.forEach(f -> bySequence.put(Journals.firstSequence(f), f));
      Path target = files.get(damage.file() % files.size());
      boolean last = target.equals(files.get(files.size() - 1));
      DamageKind applied = damage(target, damage);

      List<JournalRecord<String, String>> replayed;
      long tails;
      long middles;
      try (FileJournal<String, String> journal = Journals.quiet(dir, segmentSize)) {
        replayed = Journals.replay(journal);
        tails = journal.corruptTailRecoveries();
        middles = journal.corruptSegments();
      }

      long previous = 0;
      for (JournalRecord<String, String> r : replayed) {
        assertEquals(model.written.get(r.sequence()), r, "replayed exactly as written");
        assertTrue(r.sequence() > previous, "sequence order");
        previous = r.sequence();
      }
      Set<Long> replayedSeqs = new HashSet<>();
      replayed.forEach(r -> replayedSeqs.add(r.sequence()));
      List<JournalRecord<String, String>> unfinished = model.unfinished();
      if (applied == DamageKind.NONE || applied == DamageKind.APPEND_GARBAGE) {
        assertEquals(unfinished, replayed, "nothing lost, nothing finished comes back");
      }
      if (applied == DamageKind.NONE) {
        assertEquals(0, tails + middles);
      }
      if (applied == DamageKind.APPEND_GARBAGE || applied == DamageKind.FLIP_BIT) {
        assertEquals(1, tails + middles, "damage detected");
        assertEquals(last ? 1 : 0, tails, "only the newest segment has a tail to cut");
      }
      boolean missingInTarget = false;
      for (JournalRecord<String, String> u : unfinished) {
        boolean inTarget = bySequence.floorEntry(u.sequence()).getValue().equals(target);
        boolean present = replayedSeqs.contains(u.sequence());
        if (!inTarget) {
          assertTrue(present, "an undamaged segment's unfinished record is replayed: " + u);
        } else if (!present) {
          missingInTarget = true;
        } else {
          assertTrue(!missingInTarget, "prefix-closed: " + u + " replayed after a lost earlier one");
        }
      }

      try (FileJournal<String, String> journal = Journals.quiet(dir, segmentSize)) {
        assertEquals(replayed, Journals.replay(journal), "recovery is stable");
        assertEquals(0, journal.corruptTailRecoveries(), "the tail was cut once and for all");
        long next = journal.appendWrite("k", "after");
        assertTrue(replayed.stream().allMatch(r -> r.sequence() < next), "sequences continue");
        if (applied == DamageKind.NONE || applied == DamageKind.APPEND_GARBAGE) {
          assertTrue(model.written.keySet().stream().allMatch(s -> s < next), "continue");
        }
      }
    } finally {
      Journals.deleteRecursively(dir);
    }
  }

  private static Model run(Path dir, List<Action> history, int segmentSize) {
    Model model = new Model();
    FileJournal<String, String> journal = Journals.quiet(dir, segmentSize);
    try {
      Journals.replay(journal);
      for (Action a : history) {
        String key = "key" + a.key();
        if (a.kind() <= 4) {
          long seq = journal.appendWrite(key, a.value());
          model.written.put(seq, new JournalRecord<>(seq, key, a.value()));
          model.appended.add(seq);
        } else if (a.kind() <= 6) {
          long seq = journal.appendDelete(key);
          model.written.put(seq, new JournalRecord<>(seq, key, null));
          model.appended.add(seq);
        } else if (a.kind() <= 9) {
          if (!model.appended.isEmpty()) {
            long seq = model.appended.get(a.pick() % model.appended.size());
            journal.markDone(seq);
            model.markDone(seq);
          }
        } else {
          journal.close();
          journal = Journals.quiet(dir, segmentSize);
          assertEquals(model.unfinished(), Journals.replay(journal), "clean restart");
        }
      }
    } finally {
      journal.close();
    }
    return model;
  }

  /** Damages the file; returns what was actually done (nothing for an empty file). */
  private static DamageKind damage(Path file, Damage d) throws IOException {
    long size = Files.size(file);
    if (d.kind() == DamageKind.NONE || (size == 0 && d.kind() != DamageKind.APPEND_GARBAGE)) {
      return DamageKind.NONE;
    }
    long offset = d.offset() % Math.max(1, size);
    switch (d.kind()) {
      case TRUNCATE -> {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.truncate(offset);
        }
      }
      case FLIP_BIT -> {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          f.seek(offset);
          int b = f.read();
          f.seek(offset);
          f.write(b ^ (1 << d.bit()));
        }
      }
      case APPEND_GARBAGE -> Files.write(file, d.garbage(), StandardOpenOption.APPEND);
      case OVERWRITE -> {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          f.seek(offset);
          f.write(d.garbage()); // may extend the file too
        }
      }
      default -> throw new AssertionError(d);
    }
    return d.kind();
  }
}
