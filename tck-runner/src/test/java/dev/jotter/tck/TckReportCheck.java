package dev.jotter.tck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fails the build unless the TCK really ran: the TCK counts an excluded or unrunnable test as passed,
 * so a green Surefire summary alone proves little. Checks the exact number of tests, zero failures,
 * errors and skips, and the exact number of {@code ===== EXCLUDING TEST} lines in the test output.
 *
 * <p>Arguments: reports directory, expected test count, expected EXCLUDING line count, and
 * optionally a divergence list. With a list (the {@code tck-write-behind} profile), the failing and
 * erroring tests must be exactly the listed ones: a failure that is not listed fails the check, and so
 * does a listed test that passed or did not run, so the list can neither grow nor rot unnoticed. The
 * list holds one {@code Class#method} per line; {@code #} starts a comment.
 */
public final class TckReportCheck {

  private static final Pattern SUITE = Pattern.compile("<testsuite [^>]*>");
  /** A test case element and its body, if any; failures and errors are child elements. */
  private static final Pattern CASE = Pattern.compile(
      "<testcase ([^>]*?)(/>|>(.*?)</testcase>)", Pattern.DOTALL);

  private TckReportCheck() {}

  public static void main(String[] args) throws IOException {
    Path reports = Path.of(args[0]);
    long expectedTests = Long.parseLong(args[1]);
    long expectedExclusions = Long.parseLong(args[2]);
    Set<String> divergences = (args.length > 3) ? readList(Path.of(args[3])) : null;
    Set<String> ran = new TreeSet<>();
    Set<String> failing = new TreeSet<>();
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
        Matcher testCase = CASE.matcher(text);
        while (testCase.find()) {
          String id = text(testCase.group(1), "classname") + "#" + text(testCase.group(1), "name");
          ran.add(id);
          String body = (testCase.group(3) == null) ? "" : testCase.group(3);
          if (body.contains("<failure") || body.contains("<error")) {
            failing.add(id);
          }
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
    if (divergences == null) {
      if (tests != expectedTests || failures != 0 || errors != 0 || skipped != 0
          || exclusions != expectedExclusions || ignoredAnnotations != 0) {
        throw new IllegalStateException(summary + "; expected exactly " + expectedTests
            + " tests, no failure, error or skip, and " + expectedExclusions + " EXCLUDING line(s)");
      }
      return;
    }
    List<String> problems = new ArrayList<>();
    if (tests != expectedTests || skipped != 0 || exclusions != expectedExclusions
        || ignoredAnnotations != 0) {
      problems.add("expected exactly " + expectedTests + " tests, no skip, and "
          + expectedExclusions + " EXCLUDING line(s)");
    }
    if (failing.size() != failures + errors) {
      problems.add("found " + failing.size() + " failing test cases, but the suites count "
          + (failures + errors) + " failures and errors");
    }
    Set<String> unexpected = new TreeSet<>(failing);
    unexpected.removeAll(divergences);
    if (!unexpected.isEmpty()) {
      problems.add(unexpected.size() + " failing test(s) not on the divergence list "
          + args[3] + ": " + String.join(", ", unexpected));
    }
    Set<String> passing = new TreeSet<>(divergences);
    passing.removeAll(failing);
    passing.retainAll(ran);
    if (!passing.isEmpty()) {
      problems.add(passing.size() + " listed divergence(s) now pass; remove them from " + args[3]
          + ": " + String.join(", ", passing));
    }
    Set<String> missing = new TreeSet<>(divergences);
    missing.removeAll(ran);
    if (!missing.isEmpty()) {
      problems.add(missing.size() + " listed divergence(s) did not run (renamed or removed?): "
          + String.join(", ", missing));
    }
    if (problems.isEmpty()) {
      System.out.println("TCK divergences: " + failing.size() + " failing, exactly the "
          + divergences.size() + " listed in " + args[3]);
    } else {
      throw new IllegalStateException(summary + "; " + String.join("; ", problems));
    }
  }

  /** Reads a divergence list: one Class#method per line; blank lines and # comments ignored. */
  static Set<String> readList(Path file) throws IOException {
    Set<String> entries = new LinkedHashSet<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String entry = line.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      if (!entry.matches("[\\w.$]+#[\\w$]+")) {
        throw new IllegalStateException(file + ": not a Class#method: '" + line + "'");
      }
      if (!entries.add(entry)) {
        throw new IllegalStateException(file + ": listed twice: " + entry);
      }
    }
    return entries;
  }

  private static String text(String attributes, String name) {
    Matcher value = Pattern.compile("(?:^|\\s)" + name + "=\"([^\"]*)\"").matcher(attributes);
    return value.find() ? value.group(1) : "";
  }

  private static long attribute(String element, String name) {
    Matcher value = Pattern.compile(" " + name + "=\"(\\d+)\"").matcher(element);
    return value.find() ? Long.parseLong(value.group(1)) : 0L;
  }
}
