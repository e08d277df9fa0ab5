package dev.jotter.examples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged fat jar, started with {@code java -jar} on a free port as a child process: the test
 * talks to it over HTTP only, so {@code spring.cache.jcache.config} really is a {@code jar:nested:}
 * URI and every class comes from the jar.
 */
final class RunningApp implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(180);
  private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([0-9.eE+-]+)");

  final int port;
  final Path log;
  private final Process process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RunningApp(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** Starts the jar with the given extra {@code --name=value} arguments and waits until it is UP. */
  static RunningApp start(String name, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("jotter.example.jar",
        "target/jotter-example-spring-boot-3.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw verify (package builds it)");
    }
    int port = freePort();
    Path log = Path.of("target", "it-" + name + ".log");
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(jar.toString());
    command.add("--server.port=" + port);
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    RunningApp app = new RunningApp(port, log, process);
    try {
      app.awaitUp();
    } catch (Exception | AssertionError e) {
      app.close();
      throw e;
    }
    return app;
  }

  private void awaitUp() throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("the app exited with " + process.exitValue() + " before it was up:\n"
            + logTail());
      }
      try {
        HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/actuator/health")).GET());
        if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the app was not UP within " + STARTUP + ":\n" + logTail());
      }
      Thread.sleep(200);
    }
  }

  URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GET, expecting the status. */
  String get(String path, int status) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
    assertEquals(status, response.statusCode(), () -> "GET " + path + ": " + response.body());
    return response.body();
  }

  String get(String path) throws Exception {
    return get(path, 200);
  }

  int status(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET()).statusCode();
  }

  void put(String path, String json) throws Exception {
    call("PUT", path, json);
  }

  /** POST of a JSON body (an actuator write operation), expecting 200; returns the body. */
  String postJson(String path, String json) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path))
        .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json"));
    assertEquals(200, response.statusCode(), () -> "POST " + path + ": " + response.body());
    return response.body();
  }

  /** GET whatever the status; the body. */
  String body(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET()).body();
  }

  /**
   * A fresh H2 file database that the app and the test both open ({@code AUTO_SERVER}: the first
   * opener serves the others over TCP), so that the test can change the database under the app.
   */
  static String h2FileUrl(String name) throws IOException {
    Path dir = Path.of("target", "it-db", name).toAbsolutePath();
    if (Files.exists(dir)) {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        for (Path file : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(file);
        }
      }
    }
    Files.createDirectories(dir);
    return "jdbc:h2:file:" + dir.resolve("orders") + ";AUTO_SERVER=TRUE";
  }

  /** The first whole number after {@code "name":} in a JSON body, or -1. */
  static long number(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  void post(String path, String json) throws Exception {
    call("POST", path, json);
  }

  void delete(String path) throws Exception {
    call("DELETE", path, null);
  }

  private void call(String method, String path, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).method(method,
        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = send(request);
    assertEquals(200, response.statusCode(), () -> method + " " + path + ": " + response.body());
  }

  /**
   * Reads one actuator metric, e.g. {@code metric("cache.gets", "name:prices", "result:hit")};
   * returns -1 if the meter does not exist.
   */
  double metric(String name, String... tags) throws Exception {
    StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
    for (int i = 0; i < tags.length; i++) {
      path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
    }
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path.toString())).GET());
    if (response.statusCode() == 404) {
      return -1;
    }
    assertEquals(200, response.statusCode(), () -> path + ": " + response.body());
    Matcher matcher = VALUE.matcher(response.body());
    if (!matcher.find()) {
      throw new AssertionError(path + " has no value: " + response.body());
    }
    return Double.parseDouble(matcher.group(1));
  }

  /** Polls until the condition holds (write-behind is asynchronous), failing after the timeout. */
  static void await(String what, Duration timeout, CheckedCondition condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  interface CheckedCondition {
    boolean holds() throws Exception;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the app gracefully (SIGTERM: Spring closes the context) and returns its exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

}
