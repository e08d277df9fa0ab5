package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dead letters of a journaled cache are as durable as its journal (contract clause 6): they come
 * back after a normal close and after a SIGKILL, with their cause, and are written once
 * resubmitted. They leave the journal only when resubmitted, discarded or superseded.
 */
class DurableDeadLettersTest {
  private static final AtomicInteger MANAGERS = new AtomicInteger();

  @TempDir Path root;
  private final List<CacheManager> managers = new ArrayList<>();

  /** The database: refuses keys starting with "bad", or everything; keeps what it accepted. */
  public static final class PoisonWriter implements CacheWriter<String, String>, Serializable {
    private static final long serialVersionUID = 1L;
    static volatile boolean refuseAll;
    static volatile boolean refuseBad = true;
    static final Map<String, String> TABLE = new ConcurrentHashMap<>();

    private static boolean refused(Object key) {
      return refuseAll || (refuseBad && key.toString().startsWith("bad"));
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      writeAll(new ArrayList<>(List.of(entry)));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      boolean refusedAny = false;
      for (Iterator<Cache.Entry<? extends String, ? extends String>> it = entries.iterator();
          it.hasNext();) {
        Cache.Entry<? extends String, ? extends String> e = it.next();
        if (refused(e.getKey())) {
          refusedAny = true;
        } else {
          TABLE.put(e.getKey(), e.getValue());
          it.remove();
        }
      }
      if (refusedAny) {
        throw new CacheWriterException("check constraint violated for " + entries.size() + " rows");
      }
    }

    @Override
    public void delete(Object key) {
      deleteAll(new ArrayList<>(List.of(key)));
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      boolean refusedAny = false;
      for (Iterator<?> it = keys.iterator(); it.hasNext();) {
        Object key = it.next();
        if (refused(key)) {
          refusedAny = true;
        } else {
          TABLE.remove(key);
          it.remove();
        }
      }
      if (refusedAny) {
        throw new CacheWriterException("check constraint violated");
      }
    }
  }

  @BeforeEach
  void reset() {
    PoisonWriter.refuseAll = false;
    PoisonWriter.refuseBad = true;
    PoisonWriter.TABLE.clear();
  }

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  static CacheManager manager(String name) {
    return Caching.getCachingProvider().getCacheManager(
        URI.create("jotter:dead-letters-" + name + "-" + MANAGERS.incrementAndGet()),
        DurableDeadLettersTest.class.getClassLoader());
  }

  private CacheManager newManager() {
    CacheManager manager = manager("test");
    managers.add(manager);
    return manager;
  }

  static Cache<String, String> create(CacheManager manager, String name, Path root,
      Durability durability) {
    WriteBehindConfiguration settings = WriteBehindConfiguration.builder()
        .durability(durability).journalDirectory(root)
        .maxWriteDelay(Duration.ofMillis(1)).maxAttempts(2).jitter(0)
        .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5))
        .drainTimeout(Duration.ofSeconds(10))
        .build();
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(settings);
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(PoisonWriter.class));
    return manager.createCache(name, config);
  }

  private static DeadLetters<String, String> letters(Cache<String, String> cache) {
    return JotterCache.of(cache).deadLetters().orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(value = Durability.class, names = {"SYNC", "ASYNC"})
  void deadLettersSurviveACloseAndAreWrittenWhenResubmitted(Durability durability) {
    CacheManager first = newManager();
    Cache<String, String> cache = create(first, "orders", root, durability);
    Instant before = Instant.now();
    cache.put("bad1", "x1");
    cache.put("good", "g");
    cache.remove("bad2");
    cache.put("bad3", "x3");
    FlushResult flushed = JotterCache.of(cache).flush(Duration.ofSeconds(30));
    assertTrue(flushed.completed(), flushed.toString());
    List<String> order = letters(cache).list().stream().map(DeadLetter::key).toList();
    assertEquals(List.of("bad1", "bad2", "bad3"), order.stream().sorted().toList());
    assertEquals("g", PoisonWriter.TABLE.get("good"));
    first.close();

    CacheManager second = newManager();
    Cache<String, String> reopened = create(second, "orders", root, durability);
    DeadLetters<String, String> letters = letters(reopened);
    assertEquals(order, letters.list().stream().map(DeadLetter::key).toList(),
        "all three, in the order they became letters");
    DeadLetter<String, String> bad1 = letters.get("bad1").orElseThrow();
    assertEquals("x1", bad1.value());
    assertTrue(letters.get("bad2").orElseThrow().isDelete());
    assertEquals(2, bad1.attempts());
    assertEquals(CacheWriterException.class.getName(), bad1.causeClass());
    assertTrue(bad1.causeMessage().orElseThrow().startsWith("check constraint violated"));
    assertFalse(bad1.firstFailure().isBefore(before.minusMillis(1)), bad1.toString());
    assertFalse(bad1.lastFailure().isBefore(bad1.firstFailure()), bad1.toString());

    PoisonWriter.refuseBad = false; // the database is fixed
    assertEquals(3, letters.resubmitAll());
    assertTrue(JotterCache.of(reopened).flush(Duration.ofSeconds(30)).allWritten());
    assertEquals("x1", PoisonWriter.TABLE.get("bad1"));
    assertEquals("x3", PoisonWriter.TABLE.get("bad3"));
    second.close();

    Cache<String, String> again = create(newManager(), "orders", root, durability);
    assertEquals(0, letters(again).size(), "resubmitted letters leave the journal");
  }

  @ParameterizedTest
  @EnumSource(value = Durability.class, names = {"SYNC", "ASYNC"})
  void discardedAndSupersededLettersDoNotComeBack(Durability durability) {
    CacheManager first = newManager();
    Cache<String, String> cache = create(first, "orders", root, durability);
    cache.put("bad1", "x1");
    cache.put("bad2", "x2");
    cache.put("bad3", "x3");
    JotterCache.of(cache).flush(Duration.ofSeconds(30));
    assertEquals(3, letters(cache).size());
    assertEquals(1, letters(cache).discard(List.of("bad1")));
    PoisonWriter.refuseBad = false;
    cache.put("bad2", "fixed"); // supersedes the letter
    JotterCache.of(cache).flush(Duration.ofSeconds(30));
    first.close();

    Cache<String, String> reopened = create(newManager(), "orders", root, durability);
    assertEquals(List.of("bad3"), letters(reopened).list().stream().map(DeadLetter::key).toList());
    assertEquals("fixed", PoisonWriter.TABLE.get("bad2"));
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Durability.class, names = {"SYNC", "ASYNC"})
  void deadLettersSurviveASigkill(Durability durability) throws Exception {
    int n = 25;
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), DeadLetterChildMain.class.getName(),
        root.toString(), durability.name(), Integer.toString(n)))
        .redirectError(root.resolve("child.err").toFile()) // its WARNs would be noise here
        .start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine();
        assertNotNull(line, () -> "the child exited before its letters were ready: "
            + readQuietly(root.resolve("child.err")));
      } while (!line.startsWith(DeadLetterChildMain.READY));
      assertEquals(DeadLetterChildMain.READY + " true " + n, line);
    } finally {
      child.destroyForcibly(); // SIGKILL: nothing is closed or flushed
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(137, child.exitValue(), "killed by SIGKILL");

    PoisonWriter.refuseAll = false;
    PoisonWriter.refuseBad = false;
    Cache<String, String> restarted = create(newManager(), "letters", root, durability);
    DeadLetters<String, String> letters = letters(restarted);
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (letters.get("k" + i).isEmpty()) {
        missing.add("k" + i + ": " + JotterCache.of(restarted).writeBehind().orElseThrow()
            .status("k" + i) + " table " + PoisonWriter.TABLE.get("k" + i));
      }
    }
    assertEquals(List.of(), missing, "every letter comes back as a letter");
    assertEquals(n, letters.size());
    for (int i = 0; i < n; i++) {
      DeadLetter<String, String> letter = letters.get("k" + i).orElseThrow();
      assertEquals("v" + i, letter.value());
      assertEquals(CacheWriterException.class.getName(), letter.causeClass());
      assertEquals(Optional.empty(), letter.cause());
    }
    assertEquals(n, letters.resubmitAll());
    assertTrue(JotterCache.of(restarted).flush(Duration.ofSeconds(30)).allWritten());
    assertEquals(n, PoisonWriter.TABLE.size());
  }
}
