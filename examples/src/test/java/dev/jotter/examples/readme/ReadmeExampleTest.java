package dev.jotter.examples.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's example is {@link GettingStarted}, word for word: the build compiles it, this test
 * requires README.md to hold the file's text verbatim between the markers, and runs it.
 */
class ReadmeExampleTest {

  static final Path SOURCE = Path.of("src/main/java/dev/jotter/examples/readme/GettingStarted.java");
  static final Path README = Path.of("../README.md");
  static final String BEGIN = "<!-- begin: examples/" + SOURCE.toString().replace(File.separatorChar, '/')
      + " (ReadmeExampleTest checks that this block is that file, verbatim) -->\n```java\n";
  static final String END = "```\n<!-- end: GettingStarted.java -->";

  @Test
  void theReadmeShowsGettingStartedVerbatim() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8).replace("\r\n", "\n");
    String source = Files.readString(SOURCE, StandardCharsets.UTF_8).replace("\r\n", "\n");
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END, Math.max(begin, 0));
    if (begin < 0 || end < 0) {
      fail("README.md lacks the markers of the example:\n" + BEGIN + "...\n" + END);
    }
    String shown = readme.substring(begin + BEGIN.length(), end);
    if (!shown.equals(source)) {
      List<String> a = shown.lines().toList();
      List<String> b = source.lines().toList();
      int line = 0;
      while (line < Math.min(a.size(), b.size()) && a.get(line).equals(b.get(line))) {
        line++;
      }
      fail("README.md's example differs from " + SOURCE + " at line " + (line + 1) + ":\n  README: "
          + (line < a.size() ? a.get(line) : "<end>") + "\n  source: "
          + (line < b.size() ? b.get(line) : "<end>") + "\nCopy the file into README.md.");
    }
  }

  /** Runs the example in its own JVM, as a reader would, so that no other test's manager is shared. */
  @Test
  void theExampleRunsAndWritesBehind() throws Exception {
    Process process = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), GettingStarted.class.getName())
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the example did not end");
    assertEquals(0, process.exitValue(), output);
    assertEquals(List.of("ada: 12.50", "{42=ada: 12.50}"), output.lines().toList(), output);
  }
}
