package dev.jotter.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;

/**
 * Runs the unmodified TCK with every writer write-behind (the JVM is started with
 * {@code -Djotter.writeBehind.default=true}) and hands the result to {@link TckReportCheck}, which
 * requires the failing tests to be exactly the listed divergences.
 *
 * <p>The listed divergences fail by design. Run by Surefire, each of them printed a failure and its
 * stack trace into the build log, which drowned real failures. Here the TCK runs on the JUnit
 * Platform launcher (its JUnit 4 tests through the Vintage engine): the reports (JUnit XML, the form
 * Surefire writes) and the tests' output go to the reports directory; the log gets one summary line,
 * the check's verdict, and the name, message and first trace lines of every failure that is not on the
 * list.
 *
 * <p>Arguments: those of {@link TckReportCheck} (reports directory, expected test count, expected
 * EXCLUDING line count, divergence list). Exits 1 if the check fails.
 */
public final class WriteBehindTck {

  /** Surefire's selection in this module: top-level {@code *Test} classes, annotation tests aside. */
  private static final String TEST_CLASS = "([^$]*/)?[^/$]*Test\\.class";
  private static final String ANNOTATION_TEST = ".*/annotation/[^/]*";

  private WriteBehindTck() {}

  /**
   * Runs the TCK and the check.
   *
   * @param args reports directory, expected tests, expected EXCLUDING lines, divergence list
   * @throws IOException if the reports cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path reports = Path.of(args[0]);
    Set<String> divergences = TckReportCheck.readList(Path.of(args[3]));
    Files.createDirectories(reports);
    try (Stream<Path> stale = Files.list(reports)) {
      for (Path file : (Iterable<Path>) stale::iterator) {
        Files.delete(file);
      }
    }
    PrintStream console = System.out;
    PrintStream consoleErr = System.err;
    Failures failures = new Failures();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    long start = System.nanoTime();
    // before anything logs: java.util.logging's console handler keeps the System.err it first sees
    try (PrintStream output = new PrintStream(
        new FileOutputStream(reports.resolve("tck-write-behind-output.txt").toFile()), true,
        StandardCharsets.UTF_8)) {
      System.setOut(output);
      System.setErr(output);
      LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
          .selectors(testClasses(testsJar()))
          .build();
      Launcher launcher = LauncherFactory.create();
      launcher.execute(request, summary, failures,
          new LegacyXmlReportGeneratingListener(reports, new PrintWriter(output, true)));
    } finally {
      System.setOut(console);
      System.setErr(consoleErr);
    }
    TestExecutionSummary result = summary.getSummary();
    System.out.printf("TCK with write-behind caches: %d tests, %d failed, %d skipped in %d s "
            + "(expected failures are checked below; reports and output in %s)%n",
        result.getTestsFoundCount(), result.getTestsFailedCount(),
        result.getTestsSkippedCount() + result.getTestsAbortedCount(),
        (System.nanoTime() - start) / 1_000_000_000L, reports);
    failures.byTest.forEach((test, trace) -> {
      if (!divergences.contains(test)) {
        System.out.println("UNEXPECTED FAILURE " + test + ":");
        trace.lines().limit(15).forEach(line -> System.out.println("    " + line));
      }
    });
    try {
      TckReportCheck.main(args);
    } catch (IllegalStateException e) {
      System.out.println("TCK write-behind check FAILED: " + e.getMessage());
      System.exit(1);
    }
    // the TCK leaves non-daemon threads (its listener server) behind
    System.exit(0);
  }

  /**
   * The test classes of the jar, in the jar's order: the order in which Surefire runs them in the
   * plain pass (and ran this one before), so that both passes run the same sequence. Selected by
   * the classpath root instead, the platform would run them in an order of its own.
   */
  private static List<ClassSelector> testClasses(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream()
          .map(ZipEntry::getName)
          .filter(name -> name.matches(TEST_CLASS) && !name.matches(ANNOTATION_TEST))
          .map(name -> selectClass(name.substring(0, name.length() - ".class".length())
              .replace('/', '.')))
          .collect(Collectors.toList());
    }
  }

  /** The jar of the TCK's tests, found on this JVM's class path. */
  private static Path testsJar() {
    return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(entry -> Path.of(entry).getFileName().toString().matches("cache-tests-.*-tests\\.jar"))
        .map(Path::of)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no cache-tests-*-tests.jar on the class path"));
  }

  /**
   * Collects the stack trace of every test that failed or was aborted, by {@code Class#method}, and
   * of every class whose set-up failed.
   */
  private static final class Failures implements TestExecutionListener {
    final Map<String, String> byTest = new TreeMap<>();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
        return;
      }
      String id = test.getSource()
          .filter(MethodSource.class::isInstance)
          .map(MethodSource.class::cast)
          .map(method -> method.getClassName() + "#" + method.getMethodName())
          .orElse(test.getDisplayName());
      StringWriter trace = new StringWriter();
      result.getThrowable().ifPresentOrElse(
          failure -> failure.printStackTrace(new PrintWriter(trace)),
          () -> trace.write(result.getStatus().toString()));
      byTest.put(id, trace.toString());
    }
  }
}
