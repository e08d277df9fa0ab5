package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jotter.configuration.Durability;
import dev.jotter.journal.RecordingFiles.Event;
import dev.jotter.journal.RecordingFiles.Mark;
import dev.jotter.journal.RecordingFiles.MarkKind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operating-system crash or a power cut can do to the journal, simulated: a seeded
 * workload (writes, deletes, dead letters, DONE marks, forces, segment rolls, compaction, segment
 * deletion, restarts) drives a real {@link FileJournal} through {@link RecordingFiles}; then, for
 * every point of its file-system log and several choices of what reached the disk
 * ({@link CrashStates}), the journal opens the files a crash would have left and replays them.
 * Each crash state must pass:
 * <ul>
 *   <li>start-up never fails;
 *   <li>every record replays exactly as it was appended, in sequence order (none invented);
 *   <li>every mutation acknowledged as durable before the crash (for {@code SYNC} when its
 *       {@code awaitDurable} returned, for {@code ASYNC} when a force covering it returned)
 *       replays, unless a DONE mark for it or a newer operation of its key had begun;
 *   <li>no key replays to a state older than its newest durable one.
 * </ul>
 * A process crash (the SIGKILL test in durability-tests) keeps the page cache and cannot find a
 * missing fsync; this test does. {@code -Djournal.crash.seeds=N} runs seeds 1..N (default 8,
 * the slow profile many more), {@code -Djournal.crash.seed=S} only seed S.
 */
class CrashStateTest {
  private static final int STEPS = 200;
  private static final int RANDOM_VARIANTS = 2;
  private static final JournalFiles NO_FORCES = new ForwardingJournalFiles(JournalFiles.REAL) {
    @Override
    public void force(FileChannel channel, boolean metadata) {
      // the replay of a crash state needs no durability, only its speed
    }

    @Override
    public void forceDirectory(Path directory) {
      // as above
    }
  };

  /**
   * Crash states make the journal report torn tails and damaged segments by the thousand; held
   * here, since the logging framework keeps loggers only weakly.
   */
  private static final java.util.logging.Logger JOURNAL_LOG =
      java.util.logging.Logger.getLogger(FileJournal.class.getName());

  private Path root;
  private java.util.logging.Level journalLogLevel;

  @BeforeEach
  void createRoot() throws IOException {
    journalLogLevel = JOURNAL_LOG.getLevel();
    JOURNAL_LOG.setLevel(java.util.logging.Level.OFF);
    // tmpfs where there is one: thousands of small directories, none of which must survive
    Path shm = Path.of("/dev/shm");
    root = Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "jotter-crash") : Files.createTempDirectory("jotter-crash");
  }

  @AfterEach
  void deleteRoot() {
    JOURNAL_LOG.setLevel(journalLogLevel);
    Journals.deleteRecursively(root);
  }

  /** What the workload did, as the check needs it. */
  static final class Run {
    final Durability durability;
    final long seed;
    final Map<Long, JournalRecord<String, String>> appended = new LinkedHashMap<>();
    List<Event> log;
    int rolls;
    int compactions;
    int deletions;
    int restarts;

    Run(Durability durability, long seed) {
      this.durability = durability;
      this.seed = seed;
    }

    @Override
    public String toString() {
      return durability + " seed " + seed + " (-Djournal.crash.seed=" + seed + ")";
    }
  }

  static LongStream seeds() {
    Long only = Long.getLong("journal.crash.seed");
    return (only != null) ? LongStream.of(only)
        : LongStream.rangeClosed(1, Long.getLong("journal.crash.seeds", 8));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES) // the slow profile's 250 seeds take minutes
  void syncLosesNothingAcknowledgedInAnyCrashState() throws IOException {
    checkAll(Durability.SYNC);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void asyncLosesOnlyWhatNoCompletedForceCoveredInAnyCrashState() throws IOException {
    checkAll(Durability.ASYNC);
  }

  /** That the check can fail: without the directory's forces, acknowledged records go. */
  @Test
  void withoutDirectoryForcesSomeCrashStatesLoseAcknowledgedMutations() throws IOException {
    assertSomeStatesFail(workload(Durability.SYNC, 1, true, false), "without directory forces");
  }

  /** That the check can fail: without file forces, acknowledged records go. */
  @Test
  void withoutFileForcesSomeCrashStatesLoseAcknowledgedMutations() throws IOException {
    assertSomeStatesFail(workload(Durability.ASYNC, 1, false, true), "without file forces");
  }

  private void assertSomeStatesFail(Run run, String how) throws IOException {
    List<String> violations = new ArrayList<>();
    int states = check(run, violations);
    assertTrue(!violations.isEmpty(), "no failure in " + states + " states " + how);
  }

  private void checkAll(Durability durability) throws IOException {
    long started = System.nanoTime();
    int states = 0;
    int rolls = 0;
    int compactions = 0;
    int deletions = 0;
    List<String> violations = new ArrayList<>();
    String firstLog = null;
    for (long seed : seeds().toArray()) {
      Run run = workload(durability, seed, false, false);
      boolean clean = violations.isEmpty();
      states += check(run, violations);
      if (clean && !violations.isEmpty()) {
        firstLog = describe(run.log);
      }
      if (Boolean.getBoolean("journal.crash.printLog")) {
        System.out.println(run + ":\n" + describe(run.log));
      }
      rolls += run.rolls;
      compactions += run.compactions;
      deletions += run.deletions;
    }
    String summary = durability + ": " + states + " crash states checked in "
        + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms (" + rolls
        + " segment rolls, " + compactions + " compactions, " + deletions
        + " segment deletions), " + violations.size() + " failed";
    System.out.println(summary);
    if (!violations.isEmpty()) {
      fail(summary + "; the first ones:\n  " + String.join("\n  ",
          violations.subList(0, Math.min(10, violations.size())))
          + "\nThe file-system log of the first failed run:\n" + firstLog);
    }
    assertTrue(rolls > 0 && compactions > 0 && deletions > 0, "the workloads cover " + summary);
  }

  /* ---------------- The workload ---------------- */

  private Run workload(Durability durability, long seed, boolean skipDirectoryForces,
      boolean skipFileForces) throws IOException {
    Run run = new Run(durability, seed);
    Random random = new Random(seed * 31 + durability.ordinal());
    Path dir = Files.createDirectory(root.resolve("run-" + durability + "-" + seed));
    RecordingFiles files = new RecordingFiles(dir);
    files.skipDirectoryForces = skipDirectoryForces;
    files.skipFileForces = skipFileForces;
    int segmentSize = 256 + random.nextInt(768);
    FileJournal<String, String> journal = open(dir, durability, segmentSize, files);
    Journals.replay(journal);
    List<Long> seqs = new ArrayList<>();
    java.util.TreeSet<Long> unfinished = new java.util.TreeSet<>();
    long lastAppended = 0;
    // each seed its own mix: few or many keys, forces rare (long windows of unforced changes)
    // or frequent, most SYNC mutations acknowledged at once or in groups
    int keys = 2 + random.nextInt(7);
    int forces = 1 + random.nextInt(12);
    int ownAcks = 20 + random.nextInt(80);
    for (int step = 0; step < STEPS; step++) {
      int r = random.nextInt(88 + forces);
      String key = "k" + random.nextInt(keys);
      long sequence = 0;
      if (r < 35) {
        String value = "v" + step + "-".repeat(random.nextInt(60));
        sequence = journal.appendWrite(key, value);
        run.appended.put(sequence, new JournalRecord<>(sequence, key, value));
      } else if (r < 45) {
        sequence = journal.appendDelete(key);
        run.appended.put(sequence, new JournalRecord<>(sequence, key, null));
      } else if (r < 50 && !seqs.isEmpty()) {
        // a dead letter, as the buffer makes it: the letter first, then DONE for the given-up op
        JournalRecord<String, String> givenUp = run.appended.get(
            seqs.get(random.nextInt(seqs.size())));
        DeadMark mark = new DeadMark(3, Instant.ofEpochMilli(1_000L * step),
            Instant.ofEpochMilli(1_000L * step + 7), "java.sql.SQLException", "refused");
        sequence = journal.appendDead(givenUp.key(), givenUp.value(), mark);
        run.appended.put(sequence,
            new JournalRecord<>(sequence, givenUp.key(), givenUp.value(), mark));
        markDone(run, journal, files, unfinished, givenUp.sequence());
      } else if (r < 72 && !seqs.isEmpty()) {
        // mostly the oldest, as a writer confirms them, so that segments drain and go
        long done = (random.nextInt(10) < 7 && !unfinished.isEmpty()) ? unfinished.first()
            : seqs.get(random.nextInt(seqs.size()));
        markDone(run, journal, files, unfinished, done);
      } else if (r < 72 + forces) {
        if (durability == Durability.SYNC) {
          if (lastAppended > 0) {
            journal.awaitDurable(lastAppended); // a group commit of what is not acknowledged
            files.mark(MarkKind.DURABLE, lastAppended);
          }
        } else {
          files.mark(MarkKind.DURABLE, journal.forceNow()); // the journal thread's force
        }
      } else if (r < 85 + forces) {
        long compactedBefore = journal.compactions();
        long deletedBefore = journal.deletedSegments();
        journal.maintain(random.nextBoolean());
        run.compactions += (int) (journal.compactions() - compactedBefore);
        run.deletions += (int) (journal.deletedSegments() - deletedBefore);
      } else {
        long deletedBefore = journal.deletedSegments();
        journal.close(); // forces everything
        run.deletions += (int) (journal.deletedSegments() - deletedBefore);
        if (lastAppended > 0) {
          files.mark(MarkKind.DURABLE, lastAppended);
        }
        journal = open(dir, durability, segmentSize, files);
        Journals.replay(journal);
        run.restarts++;
      }
      if (sequence > 0) {
        seqs.add(sequence);
        unfinished.add(sequence);
        lastAppended = sequence;
        if (durability == Durability.SYNC && random.nextInt(100) < ownAcks) {
          journal.awaitDurable(sequence); // the mutation's own acknowledgement
          files.mark(MarkKind.DURABLE, sequence);
        }
      }
    }
    journal.close();
    if (lastAppended > 0) {
      files.mark(MarkKind.DURABLE, lastAppended);
    }
    run.log = files.log();
    run.rolls = (int) run.log.stream().filter(e -> e instanceof RecordingFiles.Create c
        && c.name().endsWith(".log")).count() - 1 - run.restarts;
    return run;
  }

  private static FileJournal<String, String> open(Path dir, Durability durability,
      int segmentSize, JournalFiles files) {
    return Journals.builder(dir, durability).syncInterval(Duration.ofHours(1))
        .segmentSize(segmentSize).files(files).withoutJournalThread().open();
  }

  /** A DONE mark, which finishes the older operations of its key too. */
  private static void markDone(Run run, FileJournal<String, String> journal,
      RecordingFiles files, java.util.TreeSet<Long> unfinished, long sequence) {
    files.mark(MarkKind.DONE_BEGINS, sequence);
    journal.markDone(sequence);
    String key = run.appended.get(sequence).key();
    unfinished.removeIf(s -> s <= sequence && run.appended.get(s).key().equals(key));
  }

  /* ---------------- The check of every crash state ---------------- */

  /** Checks every crash state of the run; returns how many it checked. */
  private int check(Run run, List<String> violations) throws IOException {
    CrashStates crashes = new CrashStates(run.log);
    Random random = new Random(run.seed);
    Path dir = root.resolve("state");
    long durable = 0;
    Map<String, Long> doneBegun = new HashMap<>();
    int checked = 0;
    for (int point = 0; point < crashes.points(); point++) {
      if (point > 0 && run.log.get(point - 1) instanceof Mark m) {
        if (m.kind() == MarkKind.DURABLE) {
          durable = Math.max(durable, m.sequence());
        } else {
          doneBegun.merge(run.appended.get(m.sequence()).key(), m.sequence(), Math::max);
        }
        continue; // the disk is as at the point before
      }
      List<CrashStates.Variant> variants = new ArrayList<>(List.of(CrashStates.Variant.values()));
      for (int i = 1; i < RANDOM_VARIANTS; i++) {
        variants.add(CrashStates.Variant.SUBSET);
      }
      for (CrashStates.Variant variant : variants) {
        CrashStates.State state = crashes.at(point, variant, random);
        String violation = checkState(run, state, dir, durable, doneBegun);
        checked++;
        if (violation != null) {
          violations.add(run + ", " + state.description() + ": " + violation);
        }
      }
    }
    return checked;
  }

  /** Opens the journal on the state's files and replays; returns what is wrong, or null. */
  private static String checkState(Run run, CrashStates.State state, Path dir, long durable,
      Map<String, Long> doneBegun) throws IOException {
    Files.createDirectory(dir);
    try {
      for (Map.Entry<String, byte[]> f : state.files().entrySet()) {
        Files.write(dir.resolve(f.getKey()), f.getValue());
      }
      List<JournalRecord<String, String>> replayed;
      try (FileJournal<String, String> journal = Journals.builder(dir, run.durability)
          .syncInterval(Duration.ofHours(1)).files(NO_FORCES).withoutJournalThread().open()) {
        replayed = Journals.replay(journal);
      } catch (RuntimeException e) {
        return "start-up failed: " + e;
      }
      Map<String, Long> newestReplayed = new HashMap<>();
      long previous = 0;
      for (JournalRecord<String, String> r : replayed) {
        if (!r.equals(run.appended.get(r.sequence()))) {
          return "replayed " + r + ", which was never appended so";
        }
        if (r.sequence() <= previous) {
          return "replayed " + r.sequence() + " after " + previous;
        }
        previous = r.sequence();
        newestReplayed.put(r.key(), r.sequence());
      }
      java.util.Set<Long> replayedSequences = new java.util.HashSet<>();
      replayed.forEach(r -> replayedSequences.add(r.sequence()));
      Map<String, Long> newestDurable = new HashMap<>();
      for (JournalRecord<String, String> a : run.appended.values()) {
        if (a.sequence() > durable) {
          continue;
        }
        newestDurable.merge(a.key(), a.sequence(), Math::max);
        boolean finishing = a.sequence() <= doneBegun.getOrDefault(a.key(), 0L);
        if (!finishing && !replayedSequences.contains(a.sequence())) {
          return "lost acknowledged " + describe(a) + " (durable up to " + durable + ")";
        }
      }
      for (Map.Entry<String, Long> d : newestDurable.entrySet()) {
        Long newest = newestReplayed.get(d.getKey());
        if (newest != null && newest < d.getValue()) {
          return "key " + d.getKey() + " replays at " + newest + ", older than its durable "
              + d.getValue();
        }
      }
      return null;
    } finally {
      Journals.deleteRecursively(dir);
    }
  }

  /** A file-system log for a failure message, numbered as the crash points count. */
  static String describe(List<Event> log) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < log.size(); i++) {
      Event e = log.get(i);
      String what = (e instanceof RecordingFiles.Write w)
          ? "Write(inode " + w.inode() + ", offset " + w.offset() + ", " + w.bytes().length + " B)"
          : e.toString();
      b.append(String.format("%5d %s%n", i + 1, what));
    }
    return b.toString();
  }

  /** A record for a failure message: key and sequence, never the value. */
  private static String describe(JournalRecord<String, String> r) {
    return (r.isDeadLetter() ? "dead letter " : r.isDelete() ? "delete " : "write ")
        + r.key() + "@" + r.sequence();
  }
}
