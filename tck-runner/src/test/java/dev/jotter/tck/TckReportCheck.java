package dev.jotter.tck;

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
 * Fails the build unless the TCK really ran: the TCK counts an excluded or unrunnable test as passed,
 * so a green Surefire summary alone proves little. Checks the exact number of tests, zero failures,
 * errors and skips, and the exact number of {@code ===== EXCLUDING TEST} lines in the test output.
 *
 * <p>Arguments: reports directory, expected test count, expected EXCLUDING line count.
 */
public final class TckReportCheck {

  private static final Pattern SUITE = Pattern.compile("<testsuite [^>]*>");

  private TckReportCheck() {}

  public static void main(String[] args) throws IOException {
    Path reports = Path.of(args[0]);
    long expectedTests = Long.parseLong(args[1]);
    long expectedExclusions = Long.parseLong(args[2]);
    List<Path> files;
    try (Stream<Path> listing = Files.list(reports)) {
      files = listing.sorted().collect(Collectors.toList());
    }
    long tests = 0;
    long failures = 0;
    long errors = 0;
    long skipped = 0;
    long exclusions = 0;
    long ignoredAnnotations = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (name.startsWith("TEST-") && name.endsWith(".xml")) {
        Matcher suite = SUITE.matcher(text);
        if (suite.find()) {
          tests += attribute(suite.group(), "tests");
          failures += attribute(suite.group(), "failures");
          errors += attribute(suite.group(), "errors");
          skipped += attribute(suite.group(), "skipped");
        }
      } else if (name.endsWith("-output.txt")) {
        exclusions += text.lines().filter(line -> line.contains("===== EXCLUDING TEST")).count();
        ignoredAnnotations += text.lines()
            .filter(line -> line.contains("annotation tests will be ignored")).count();
      }
    }
    String summary = String.format("TCK: %d tests, %d failures, %d errors, %d skipped, "
        + "%d EXCLUDING lines, %d 'annotation tests will be ignored' lines", tests, failures, errors,
        skipped, exclusions, ignoredAnnotations);
    System.out.println(summary);
    if (tests != expectedTests || failures != 0 || errors != 0 || skipped != 0
        || exclusions != expectedExclusions || ignoredAnnotations != 0) {
      throw new IllegalStateException(summary + "; expected exactly " + expectedTests
          + " tests, no failure, error or skip, and " + expectedExclusions + " EXCLUDING line(s)");
    }
  }

  private static long attribute(String element, String name) {
    Matcher value = Pattern.compile(" " + name + "=\"(\\d+)\"").matcher(element);
    return value.find() ? Long.parseLong(value.group(1)) : 0L;
  }
}
