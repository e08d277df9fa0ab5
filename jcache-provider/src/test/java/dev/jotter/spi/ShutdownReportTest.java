package dev.jotter.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account of every write reaches the user at JVM shutdown (contract clause 9), even when the
 * logging framework is already gone: a child JVM with a dead database puts three keys and ends
 * without closing anything.
 */
class ShutdownReportTest {
  @TempDir Path dir;

  private String run(List<String> jvmOptions) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path output = dir.resolve("output.txt");
    List<String> command = new java.util.ArrayList<>(List.of(java.toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        LosingMain.class.getName(), "500"));
    Process child = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the drain timeout bounds the shutdown");
    String text = Files.readString(output);
    assertEquals(0, child.exitValue(), text);
    assertTrue(text.contains("PUT 3"), text);
    return text;
  }

  @Test
  void lostKeysAreNamedWhenTheJvmEndsWithoutClosingTheCache() throws Exception {
    String text = run(List.of());
    assertTrue(text.contains("3 operations unconfirmed (lost), keys [k0, k1, k2]"), text);
    assertFalse(text.contains("secret-"), "keys and counts, never values: " + text);
  }

  @Test
  void theReportReachesStandardErrorWhenLoggingIsOff() throws Exception {
    // as if the logging framework had shut down in its own hook before Jotter's ran
    Path off = dir.resolve("logging-off.properties");
    Files.writeString(off, "handlers=\n.level=OFF\n");
    String text = run(List.of("-Djava.util.logging.config.file=" + off));
    assertTrue(text.contains("jotter ERROR: Write-behind of cache 'orders' did not drain within"
        + " PT0.5S: 3 operations unconfirmed (lost), keys [k0, k1, k2]"), text);
  }
}
