package dev.jotter.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jotter.configuration.Durability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Kills a child JVM that mutates a durable write-behind cache over the example's JDBC writer and
 * an H2 file database, restarts it on the same journal and database, lets it replay and flush,
 * and then checks every key in the database against what the killed child acknowledged.
 *
 * <p>The check, per key. The child announces each mutation before the call ({@code I}) and after
 * it returned ({@code A}, with its {@code System.nanoTime()}); a key's mutations come from one
 * thread, in order, so at the kill a key has a list of announced mutations of which at most the
 * last is unacknowledged (in flight). Let {@code m} be the newest mutation that must survive:
 * the last acknowledged one, at both levels. A SIGKILL is a process crash, which loses nothing
 * the kernel holds: {@code SYNC} forced the record before the acknowledgement, and {@code ASYNC}
 * wrote it to the operating system (the force, which only an operating-system crash or power loss
 * would need, follows within {@code syncInterval}; a process kill cannot test that part).
 * The database must then hold the state of {@code m} or of a later announced mutation (a later
 * one was either acknowledged, or in flight and may or may not have happened) — never an older
 * state (clause 2 across replay) and never a state nobody announced. Without any {@code m} in the
 * cycle, the state before the cycle (verified at the end of the previous one) counts as {@code m}.
 */
class CrashTest {
  private static final int THREADS = 4;
  private static final int KEYS = 2_000;
  private static final int HOT_KEYS_PER_THREAD = 8;
  private static final Duration SYNC_INTERVAL = Duration.ofMillis(10);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
  private static final long ABSENT = -1;

  /** One announced mutation of a key. */
  private static final class Mutation {
    final long version;
    final boolean remove;
    boolean acknowledged;
    long acknowledgedAt;

    Mutation(long version, boolean remove) {
      this.version = version;
      this.remove = remove;
    }

    long state() {
      return remove ? ABSENT : version;
    }
  }

  /** The lines of one child, parsed as they arrive. */
  private static final class ChildOutput {
    final Map<Long, List<Mutation>> byKey = new HashMap<>();
    long readyAt = Long.MIN_VALUE;
    long acknowledged;
    long issued;
    String recovered;
    boolean ended;
    final List<String> unexpected = new ArrayList<>();

    synchronized void accept(String line) {
      try {
        parse(line);
      } catch (RuntimeException | AssertionError e) {
        unexpected.add(line + " (" + e + ")");
      }
      notifyAll();
    }

    private void parse(String line) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case CrashSetup.READY -> {
          readyAt = Long.parseLong(f[1]);
        }
        case CrashSetup.ISSUING -> {
          byKey.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>())
              .add(new Mutation(Long.parseLong(f[3]), f[2].equals("R")));
          issued++;
        }
        case CrashSetup.ACKNOWLEDGED -> {
          List<Mutation> ops = byKey.get(Long.parseLong(f[1]));
          Mutation last = ops.get(ops.size() - 1);
          assertEquals(Long.parseLong(f[3]), last.version, "acknowledged out of order: " + line);
          last.acknowledged = true;
          last.acknowledgedAt = Long.parseLong(f[4]);
          acknowledged++;
        }
        case CrashSetup.RECOVERED -> recovered = line;
        default -> throw new AssertionError("unexpected child output");
      }
    }

    synchronized void end() {
      ended = true;
      notifyAll();
    }

    /** Waits for a condition on the output, with a deadline (no sleeping). */
    synchronized void await(String what, java.util.function.BooleanSupplier condition)
        throws InterruptedException {
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (ended) {
          fail("the child ended before " + what);
        }
        if (left <= 0) {
          fail("timed out waiting for " + what);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  /** Totals over the cycles of one test, printed for the README. */
  private static final class Totals {
    int cycles;
    long keysChecked;
    long issued;
    long acknowledged;
    long inFlightAtKill;
    long inFlightApplied;
    long lostAcknowledged;
    long maxLossAgeNanos = Long.MIN_VALUE;
    long replayedWrites;
    long leftInJournal;
    long pendingAtStart;
    long implicitlyFinished;
    long tornTails;
  }

  @Test
  void syncCrashLosesNoAcknowledgedMutation() throws Exception {
    crashCycles(Durability.SYNC);
  }

  @Test
  void asyncCrashLosesNoAcknowledgedMutationEither() throws Exception {
    crashCycles(Durability.ASYNC);
  }

  private void crashCycles(Durability durability) throws Exception {
    int cycles = Integer.getInteger("crash.cycles", 3);
    long seed = Long.getLong("crash.seed", 20261126L) ^ durability.ordinal();
    Path work = Path.of(System.getProperty("crash.workDir", "target/crash"))
        .resolve(durability.name().toLowerCase());
    deleteRecursively(work);
    Files.createDirectories(work);
    Path journal = work.resolve("journal");
    Path database = work.resolve("db").resolve("orders");
    Random random = new Random(seed);
    Map<Long, Long> verified = new TreeMap<>(); // key -> state in the database after a cycle
    Totals totals = new Totals();
    long started = System.nanoTime();

    for (int cycle = 1; cycle <= cycles; cycle++) {
      int killAfter = 200 + random.nextInt(3_000);
      ChildOutput run = new ChildOutput();
      Process child = start(work, "run", journal, database, durability, cycle, random.nextLong(),
          run, "run-" + cycle);
      long killedAt;
      try {
        run.await("READY", () -> run.readyAt != Long.MIN_VALUE);
        run.await(killAfter + " acknowledgements", () -> run.acknowledged >= killAfter);
        killedAt = System.nanoTime();
        // SIGKILL through the handle: Process.destroyForcibly() also closes our end of the
        // child's stdout, which would drop the lines we have not read yet
        assertTrue(child.toHandle().destroyForcibly());
        assertTrue(child.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      } finally {
        child.destroyForcibly();
      }
      assertEquals(128 + 9, child.exitValue(), "the child must die of SIGKILL");
      run.await("the end of the killed child's output", () -> true);
      synchronized (run) {
        while (!run.ended) {
          run.wait(STEP_TIMEOUT.toMillis());
        }
      }

      ChildOutput recovery = new ChildOutput();
      Process recoverer = start(work, "recover", journal, database, durability, cycle, 0,
          recovery, "recover-" + cycle);
      try {
        assertTrue(recoverer.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
            "the recovering child did not finish");
      } finally {
        recoverer.destroyForcibly();
      }
      synchronized (recovery) {
        while (!recovery.ended) {
          recovery.wait(STEP_TIMEOUT.toMillis());
        }
      }
      assertEquals(0, recoverer.exitValue(), "recovery failed; see " + work);
      String report = recovery.recovered;
      assertTrue(report != null && report.contains("flushed=true")
          && report.contains("cachePending=0"), "recovery did not drain: " + report);
      // written but not marked done by a clean close: replayed (again) at the next start; see
      // WriteBehindBufferJournalTest#cleanCloseAfterFlushLeavesNothingToReplay
      totals.leftInJournal += Long.parseLong(report.replaceAll(".*journalPending=(\\d+).*", "$1"));
      totals.replayedWrites += Long.parseLong(report.replaceAll(".*written=(\\d+).*", "$1"));
      totals.tornTails += number(report, "startTornTails");
      totals.pendingAtStart += number(report, "startPending");
      totals.implicitlyFinished += number(report, "startImplicit");

      assertEquals(List.of(), run.unexpected, "lines the crash test cannot read");
      assertEquals(List.of(), recovery.unexpected, "lines the crash test cannot read");
      Map<Long, Long> actual = readDatabase(database);
      check(cycle, durability, run, killedAt, verified, actual, totals);
      verified = actual;
      totals.cycles++;
      totals.issued += run.issued;
      totals.acknowledged += run.acknowledged;
    }
    System.out.printf("CRASH %s: %d cycles, %d key checks, %d mutations issued, %d acknowledged, "
            + "%d in flight at the kill (%d of them applied), %d acknowledged mutations lost "
            + "(max age at kill %s ms), %d unfinished records at restart "
            + "(%d of them finished by a newer DONE of their key), %d operations written by "
            + "recovery, %d torn tails cut, %d written operations left in the journal by a clean "
            + "close, %.1f s%n",
        durability, totals.cycles, totals.keysChecked, totals.issued, totals.acknowledged,
        totals.inFlightAtKill, totals.inFlightApplied, totals.lostAcknowledged,
        totals.maxLossAgeNanos == Long.MIN_VALUE ? "-"
            : String.format("%.1f", totals.maxLossAgeNanos / 1e6),
        totals.pendingAtStart,
        totals.implicitlyFinished, totals.replayedWrites, totals.tornTails,
        totals.leftInJournal, (System.nanoTime() - started) / 1e9);
    assertEquals(0, totals.lostAcknowledged);
  }

  private static void check(int cycle, Durability durability, ChildOutput run, long killedAt,
      Map<Long, Long> before, Map<Long, Long> actual, Totals totals) {
    List<String> failures = new ArrayList<>();
    java.util.Set<Long> keys = new java.util.TreeSet<>(before.keySet());
    keys.addAll(actual.keySet());
    keys.addAll(run.byKey.keySet());
    for (long key : keys) {
      totals.keysChecked++;
      long dbState = actual.getOrDefault(key, ABSENT);
      long baseline = before.getOrDefault(key, ABSENT);
      List<Mutation> ops = run.byKey.getOrDefault(key, List.of());
      int mustSurvive = -1;
      for (int i = 0; i < ops.size(); i++) {
        Mutation op = ops.get(i);
        if (op.acknowledged) {
          mustSurvive = i;
        }
      }
      int matched = Integer.MIN_VALUE; // the newest announced state equal to the database's
      for (int i = ops.size() - 1; i >= -1 && matched == Integer.MIN_VALUE; i--) {
        long state = (i == -1) ? baseline : ops.get(i).state();
        if (state == dbState) {
          matched = i;
        }
      }
      if (!ops.isEmpty() && !ops.get(ops.size() - 1).acknowledged) {
        totals.inFlightAtKill++;
        if (matched == ops.size() - 1) {
          totals.inFlightApplied++;
        }
      }
      if (matched < mustSurvive) {
        failures.add("key " + key + ": database " + describe(dbState) + ", but "
            + (matched == Integer.MIN_VALUE ? "nobody announced that state"
                : describe(ops.get(mustSurvive)) + " must survive")
            + "; announced " + describeAll(baseline, ops, killedAt));
        continue;
      }
      for (int i = Math.max(matched + 1, 0); i < ops.size(); i++) {
        Mutation op = ops.get(i);
        if (op.acknowledged) { // lost: counted for the report; the check above fails the cycle
          totals.lostAcknowledged++;
          totals.maxLossAgeNanos = Math.max(totals.maxLossAgeNanos, killedAt - op.acknowledgedAt);
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(durability + " cycle " + cycle + ": " + failures.size() + " keys wrong, e.g.\n"
          + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }
  }

  private static String describe(long state) {
    return state == ABSENT ? "absent" : "version " + state;
  }

  private static String describe(Mutation op) {
    return (op.remove ? "remove v" : "put v") + op.version;
  }

  private static String describeAll(long baseline, List<Mutation> ops, long killedAt) {
    StringBuilder b = new StringBuilder("[before: " + describe(baseline));
    for (Mutation op : ops) {
      b.append(", ").append(describe(op)).append(op.acknowledged
          ? " acked " + (killedAt - op.acknowledgedAt) / 1_000_000 + " ms before kill"
          : " in flight");
    }
    return b.append(']').toString();
  }

  private static Process start(Path work, String mode, Path journal, Path database,
      Durability durability, int cycle, long seed, ChildOutput output, String name)
      throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), mode, journal.toString(), database.toString(),
        durability.name(), Long.toString(SYNC_INTERVAL.toMillis()), Integer.toString(THREADS),
        Integer.toString(KEYS), Integer.toString(HOT_KEYS_PER_THREAD), Integer.toString(cycle),
        Long.toString(seed));
    Process process = new ProcessBuilder(command)
        .redirectError(work.resolve(name + ".err").toFile())
        .start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.endsWith("\n") || line.isEmpty()) {
            continue;
          }
          output.accept(line);
        }
      } catch (IOException e) {
        // the pipe broke with the child: what was read is what it printed
      } finally {
        output.end();
      }
    }, "crash-child-reader-" + name);
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  private static Map<Long, Long> readDatabase(Path database) throws SQLException {
    Map<Long, Long> rows = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(CrashSetup.parentUrl(database),
        "sa", "");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT id, customer, amount_cents, version FROM orders")) {
      while (rs.next()) {
        long id = rs.getLong(1);
        long version = rs.getLong(4);
        assertEquals("customer-" + id, rs.getString(2), "row " + id);
        assertEquals(version % 1_000_000, rs.getLong(3), "row " + id + " is torn");
        rows.put(id, version);
      }
      statement.execute("SHUTDOWN"); // release the file before the next child opens it
    }
    return rows;
  }

  private static long number(String report, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(name + "=(\\d+)").matcher(report);
    assertTrue(m.find(), name + " missing in " + report);
    return Long.parseLong(m.group(1));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
