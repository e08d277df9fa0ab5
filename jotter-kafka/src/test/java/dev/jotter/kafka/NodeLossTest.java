package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Node loss: two application nodes, child JVMs, write through Jotter's Kafka log into one
 * embedded PostgreSQL; one is killed with SIGKILL mid-stream; the survivor, which takes over the
 * dead node's partitions, writes everything the killed node acknowledged. Every key is checked
 * against the acknowledgements: none lost, none older than its last acknowledged state.
 * {@code nodeLoss.cycles} cycles (2 in the default build, 20 with {@code -Pslow}).
 */
class NodeLossTest {
  private static final Duration STEP = Duration.ofSeconds(60);
  private static KafkaCluster kafka;
  private static EmbeddedPostgres postgres;
  private static String jdbcUrl;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaCluster.start(1);
    postgres = EmbeddedPostgres.builder().start();
    jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute(PostgresWriter.DDL);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** A child JVM and what it printed. */
  static final class Node {
    final Process process;
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    final AtomicLong acks = new AtomicLong();
    final AtomicBoolean ready = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();
    final List<String> other = java.util.Collections.synchronizedList(new ArrayList<>());
    final Thread reader;

    Node(String id, String topic, Path log) throws IOException {
      List<String> command = List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-cp", System.getProperty("surefire.test.class.path",
              System.getProperty("java.class.path")),
          "-DnodeLoss.jdbcUrl=" + jdbcUrl,
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
          NodeChild.class.getName(), id, kafka.bootstrapServers(), topic, "200");
      process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("A ")) {
              String[] parts = line.split(" ");
              acknowledged.put(parts[1], Long.parseLong(parts[2]));
              acks.incrementAndGet();
            } else if (line.equals("READY")) {
              ready.set(true);
            } else if (line.equals("CLOSED")) {
              closed.set(true);
            } else {
              other.add(line);
            }
          }
        } catch (IOException e) {
          other.add("read failed: " + e);
        }
      });
      reader.setDaemon(true);
      reader.start();
    }
  }

  private static Map<String, Long> database(String prefix) throws Exception {
    Map<String, Long> rows = new HashMap<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select k, v from kv where k like '" + prefix + "%'")) {
      while (r.next()) {
        rows.put(r.getString(1), r.getLong(2));
      }
    }
    return rows;
  }

  /** Keys of {@code node} whose database state is missing or older than its last ack. */
  private static List<String> behind(Node node) throws Exception {
    Map<String, Long> rows = database("");
    List<String> behind = new ArrayList<>();
    node.acknowledged.forEach((key, value) -> {
      Long row = rows.get(key);
      if (row == null || row < value) {
        behind.add(key + "=" + row + "<" + value);
      }
    });
    return behind;
  }

  @Test
  void theSurvivorWritesEverythingAKilledNodeAcknowledged() throws Exception {
    int cycles = Integer.getInteger("nodeLoss.cycles", 2);
    Path logs = Path.of("target", "node-loss");
    java.nio.file.Files.createDirectories(logs);
    List<Double> takeovers = new ArrayList<>();
    for (int cycle = 1; cycle <= cycles; cycle++) {
      String topic = "nodes-" + UUID.randomUUID();
      kafka.createTopics(topic, 6, 1, Map.of());
      String victimId = "c" + cycle + "v";
      String survivorId = "c" + cycle + "s";
      Node victim = new Node(victimId, topic, logs.resolve(victimId + ".log"));
      Node survivor = new Node(survivorId, topic, logs.resolve(survivorId + ".log"));
      try {
        Await.until("both nodes ready", STEP,
            () -> victim.ready.get() && survivor.ready.get(), () -> victim.other);
        long killAfter = 500 + 300L * cycle;
        Await.until(killAfter + " acknowledgements of the victim", STEP,
            () -> victim.acks.get() >= killAfter && survivor.acks.get() > 100,
            () -> victim.acks + " " + survivor.acks);
        assertTrue(victim.process.toHandle().destroyForcibly(), "SIGKILL");
        long killedAt = System.nanoTime();
        assertTrue(victim.process.waitFor(STEP.toSeconds(), TimeUnit.SECONDS));
        assertEquals(128 + 9, victim.process.exitValue(), "the victim died of SIGKILL");
        victim.reader.join(STEP.toMillis());

        Await.until("the database holds all the killed node acknowledged", STEP, () -> {
          try {
            return behind(victim).isEmpty();
          } catch (Exception e) {
            return false;
          }
        }, () -> {
          try {
            return behind(victim).size() + " keys behind, e.g. "
                + behind(victim).subList(0, Math.min(5, behind(victim).size()));
          } catch (Exception e) {
            return e.toString();
          }
        });
        takeovers.add((System.nanoTime() - killedAt) / 1e9);

        survivor.process.getOutputStream().close(); // the survivor flushes and closes
        assertTrue(survivor.process.waitFor(STEP.toSeconds(), TimeUnit.SECONDS));
        survivor.reader.join(STEP.toMillis());
        assertEquals(0, survivor.process.exitValue());
        assertTrue(survivor.closed.get(), "the survivor closed cleanly");
        assertEquals(List.of(), behind(survivor), "the survivor lost nothing either");
        assertTrue(victim.acknowledged.size() > 0 && survivor.acknowledged.size() > 0);
        System.out.printf("NODE-LOSS cycle %d: victim acked %d (%d keys), survivor acked %d; "
            + "database complete %.1f s after SIGKILL%n", cycle, victim.acks.get(),
            victim.acknowledged.size(), survivor.acks.get(), takeovers.get(cycle - 1));
      } finally {
        victim.process.destroyForcibly();
        survivor.process.destroyForcibly();
      }
    }
  }
}
