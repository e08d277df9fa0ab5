package dev.jotter.annotation.cdi.tck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fails the build unless the TCK's annotation tests really ran through this module: the TCK counts
 * an annotation test as passed when no {@code BeanProvider} loads ("annotation tests will be
 * ignored") or when it excludes it ({@code ===== EXCLUDING TEST}). Requires the exact test count,
 * every suite in {@code org.jsr107.tck.annotation}, no failure, error or skip, and neither line in
 * the tests' output.
 *
 * <p>Arguments: the reports directory, the expected number of tests.
 */
public final class AnnotationTckReportCheck {

  private static final Pattern SUITE = Pattern.compile("<testsuite [^>]*>");

  private AnnotationTckReportCheck() {}

  /**
   * Checks the reports.
   *
   * @param args the reports directory and the expected test count
   * @throws IOException if a report cannot be read
   */
  public static void main(String[] args) throws IOException {
    Path reports = Path.of(args[0]);
    long expectedTests = Long.parseLong(args[1]);
    if (!Files.isDirectory(reports)) {
      throw new IllegalStateException("No TCK annotation reports in " + reports);
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(reports)) {
      files = listing.sorted().collect(Collectors.toList());
    }
    long tests = 0;
    long failures = 0;
    long errors = 0;
    long skipped = 0;
    long foreignSuites = 0;
    long exclusions = 0;
    long ignored = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.startsWith("TEST-") && name.endsWith(".xml")) {
        if (!name.startsWith("TEST-org.jsr107.tck.annotation.")) {
          foreignSuites++;
        }
        Matcher suite = SUITE.matcher(Files.readString(file, StandardCharsets.UTF_8));
        if (suite.find()) {
          tests += attribute(suite.group(), "tests");
          failures += attribute(suite.group(), "failures");
          errors += attribute(suite.group(), "errors");
          skipped += attribute(suite.group(), "skipped");
        }
      } else if (name.endsWith("-output.txt") || name.endsWith("-err.txt")) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        exclusions += lines.stream().filter(l -> l.contains("===== EXCLUDING TEST")).count();
        ignored += lines.stream().filter(l -> l.contains("annotation tests will be ignored")).count();
      }
    }
    String summary = String.format("TCK annotation tests: %d tests, %d failures, %d errors, "
        + "%d skipped, %d EXCLUDING lines, %d 'annotation tests will be ignored' lines, "
        + "%d suites outside org.jsr107.tck.annotation", tests, failures, errors, skipped,
        exclusions, ignored, foreignSuites);
    System.out.println(summary);
    if (tests != expectedTests || failures != 0 || errors != 0 || skipped != 0 || exclusions != 0
        || ignored != 0 || foreignSuites != 0) {
      throw new IllegalStateException(summary + "; expected exactly " + expectedTests
          + " tests, all run and passed, no EXCLUDING line and no ignored line");
    }
  }

  private static long attribute(String element, String name) {
    Matcher value = Pattern.compile(" " + name + "=\"(\\d+)\"").matcher(element);
    return value.find() ? Long.parseLong(value.group(1)) : 0L;
  }
}
