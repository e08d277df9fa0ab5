package dev.jotter.examples.demo;

import dev.jotter.examples.jdbc.JdbcCacheLoader;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import dev.jotter.examples.jdbc.OrderTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.tools.Server;

/**
 * The crash part of the demo: a child JVM ({@link CrashNode}) puts orders through a durable
 * write-behind cache, is killed with SIGKILL after a number of acknowledged puts while writes
 * are still pending, and is started again on the same journal, which replays them. Then every
 * order id is checked against the last version the killed node acknowledged.
 *
 * <p>The database is an in-memory H2 in this JVM, served to the children over TCP on the
 * loopback interface, so it outlives the killed process as a database server would.
 */
public final class CrashDemo {

  private static final long PROCESS_TIMEOUT_SECONDS = 60;

  private CrashDemo() {}

  /**
   * What the crash run found.
   *
   * @param acknowledged     puts the killed node acknowledged
   * @param orderIds         order ids those puts touched, each checked
   * @param behindAtKill     of those, the ids whose row was older than the last acknowledged
   *                         version when the node died: writes that were pending
   * @param writtenByReplay  rows the restarted node wrote from the journal
   * @param lost             ids whose row is, after the replay, missing or older than the last
   *                         acknowledged version; must be zero
   * @param restartFailure   why the restarted node did not finish cleanly; empty if it did
   */
  public record Result(long acknowledged, int orderIds, int behindAtKill, long writtenByReplay,
      int lost, String restartFailure) {

    /**
     * Whether nothing acknowledged was lost and the restart finished cleanly.
     *
     * @return {@code true} if the demo's promise held
     */
    public boolean ok() {
      return acknowledged > 0 && lost == 0 && restartFailure.isEmpty();
    }
  }

  /**
   * Runs the crash, the restart and the check.
   *
   * @param acknowledgedBeforeKill how many acknowledged puts to read before the kill
   * @param out                    where the demo's lines go
   * @return what was found
   * @throws Exception if the database, the directory or a child process cannot be set up
   */
  public static Result run(int acknowledgedBeforeKill, PrintStream out) throws Exception {
    Path work = Files.createTempDirectory("jotter-crash-demo-");
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String database = "mem:jotter-crash-demo";
    JdbcSettings local = new JdbcSettings("jdbc:h2:" + database + ";DB_CLOSE_DELAY=-1", "sa", "");
    DataSource dataSource = local.toDataSource();
    OrderTable.create(dataSource);
    // without -tcpAllowOthers the server answers the loopback interface only
    Server server = Server.createTcpServer("-tcpPort", Integer.toString(port)).start();
    String url = "jdbc:h2:tcp://localhost:" + port + "/" + database;
    try {
      out.printf("%nCrash and replay: a child JVM puts orders (durability SYNC), is killed with"
          + " SIGKILL, restarts%n");
      Node killed = Node.start("put", url, work);
      Map<Long, Long> acked = new HashMap<>();
      long acknowledged = killed.readAcks(acked, acknowledgedBeforeKill);
      // SIGKILL on POSIX: no shutdown hook, no flush; through the handle, because
      // Process.destroyForcibly also closes the pipe that still holds the last acks
      killed.process.toHandle().destroyForcibly();
      killed.process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      acknowledged += killed.readAcks(acked, Long.MAX_VALUE); // printed before it died
      if (acknowledged < acknowledgedBeforeKill) {
        throw new IllegalStateException("the node died before " + acknowledgedBeforeKill
            + " acknowledged puts: " + killed.errors());
      }
      int behind = behind(dataSource, acked);
      out.printf("  node (pid %d): %,d puts acknowledged on %,d order ids, then SIGKILL%n",
          killed.process.pid(), acknowledged, acked.size());
      out.printf("  database after the kill: %,d of %,d orders behind their last acknowledged"
          + " put%n", behind, acked.size());

      Node restarted = Node.start("recover", url, work);
      String report = restarted.lastLine();
      boolean exited = restarted.process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String failure = !exited ? "did not exit within " + PROCESS_TIMEOUT_SECONDS + " s"
          : restarted.process.exitValue() != 0 || !report.matches("recovered \\d+")
              ? "exit " + restarted.process.exitValue() + ", " + report + " " + restarted.errors()
              : "";
      long replayed = failure.isEmpty() ? Long.parseLong(report.substring(10)) : -1;
      out.printf("  node restarted (pid %d): the journal replayed, %,d rows written, %s%n",
          restarted.process.pid(), replayed, failure.isEmpty() ? "closed" : failure);

      int lost = behind(dataSource, acked);
      Result result = new Result(acknowledged, acked.size(), behind, replayed, lost, failure);
      out.printf("  checked key by key: %,d of %,d orders at or after their last acknowledged"
          + " version%n", acked.size() - lost, acked.size());
      out.println(result.ok() ? "  OK: nothing acknowledged was lost"
          : "  LOST: " + lost + " orders behind what was acknowledged");
      return result;
    } finally {
      server.stop();
      try (Connection connection = dataSource.getConnection()) {
        connection.createStatement().execute("SHUTDOWN");
      }
      deleteTree(work);
    }
  }

  /** Counts the order ids whose row is missing or older than their last acknowledged version. */
  private static int behind(DataSource dataSource, Map<Long, Long> acked) {
    Map<Long, Order> rows = new JdbcCacheLoader(dataSource).loadAll(acked.keySet());
    int behind = 0;
    for (Map.Entry<Long, Long> ack : acked.entrySet()) {
      Order row = rows.get(ack.getKey());
      if (row == null || row.version() < ack.getValue()) {
        behind++;
      }
    }
    return behind;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** A {@link CrashNode} child JVM, its standard output read line by line. */
  private static final class Node {
    final Process process;
    final BufferedReader lines;
    final Path errors;

    private Node(Process process, Path errors) {
      this.process = process;
      this.errors = errors;
      this.lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Node start(String mode, String url, Path work) throws IOException {
      Path errors = work.resolve(mode + ".err");
      Path journal = work.resolve("journal");
      // the demo runs in its own JVM (see the demo profile) and tests in Surefire's: either way
      // java.class.path is the whole class path, also for the child
      Process process = new ProcessBuilder(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CrashNode.class.getName(), mode, url,
          journal.toString()))
          .redirectError(errors.toFile())
          .start();
      return new Node(process, errors);
    }

    /**
     * Reads {@code ack <id> <version> .} lines into {@code acked} (the highest version per id)
     * until {@code limit} were read or the stream ends; a line cut short by the kill has no
     * closing dot and is not an acknowledgement the parent saw in full.
     */
    long readAcks(Map<Long, Long> acked, long limit) throws IOException {
      long read = 0;
      String line;
      while (read < limit && (line = lines.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts.length == 4 && parts[0].equals("ack") && parts[3].equals(".")) {
          acked.merge(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Math::max);
          read++;
        }
      }
      return read;
    }

    String lastLine() throws IOException {
      String last = "";
      String line;
      while ((line = lines.readLine()) != null) {
        last = line;
      }
      return last;
    }

    String errors() {
      try {
        List<String> all = Files.readAllLines(errors, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
      } catch (IOException e) {
        return "(standard error unreadable: " + e + ")";
      }
    }
  }

}
