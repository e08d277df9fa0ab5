package dev.jotter.journal;

import dev.jotter.JotterCache;
import dev.jotter.writebehind.FlushResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;

/**
 * A child JVM whose database refuses every write: it puts {@code n} keys into a durable cache,
 * waits until all are dead letters, says so on stdout, and then waits to be killed.
 * Arguments: journal root, durability, n.
 */
public final class DeadLetterChildMain {
  static final String READY = "DEAD-LETTERS";

  private DeadLetterChildMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int n = Integer.parseInt(args[2]);
    DurableDeadLettersTest.PoisonWriter.refuseAll = true;
    CacheManager manager = DurableDeadLettersTest.manager("child");
    Cache<String, String> cache = DurableDeadLettersTest.create(manager, "letters", root,
        dev.jotter.configuration.Durability.valueOf(args[1]));
    for (int i = 0; i < n; i++) {
      cache.put("k" + i, "v" + i);
    }
    FlushResult flushed = JotterCache.of(cache).flush(Duration.ofSeconds(60));
    System.out.println(READY + " " + flushed.completed() + " "
        + JotterCache.of(cache).deadLetters().orElseThrow().size());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // wait for SIGKILL; never close the cache
    }
  }
}
