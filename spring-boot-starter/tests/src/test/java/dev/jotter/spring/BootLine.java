package dev.jotter.spring;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.springframework.util.ClassUtils;

/**
 * What differs between the two Spring Boot lines the tests run on, reached without naming either
 * line's types (the tests compile once for both): the cache auto-configuration's class, and the
 * health API.
 */
final class BootLine {

  /** Whether this is Spring Boot 4 (its health API moved to its own module). */
  static final boolean BOOT4 = ClassUtils.isPresent(
      "org.springframework.boot.health.contributor.HealthIndicator", null);
  private static final String HEALTH = BOOT4 ? "org.springframework.boot.health.contributor."
      : "org.springframework.boot.actuate.health.";

  private BootLine() {}

  static Class<?> cacheAutoConfiguration() {
    return type(BOOT4 ? "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration"
        : "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration");
  }

  /** A status and its details. */
  record Health(String status, Map<String, Object> details) {}

  /** The health of the indicator at {@code path} under {@code contributor}. */
  @SuppressWarnings("unchecked")
  static Health health(Object contributor, String... path) {
    Object node = contributor;
    for (String name : path) {
      node = invoke(node, HEALTH + "CompositeHealthContributor", "getContributor", name);
      if (node == null) {
        throw new AssertionError("no health contributor '" + name + "' in " + List.of(path));
      }
    }
    Object health = invoke(node, HEALTH + "HealthIndicator", "health");
    Object status = invoke(health, HEALTH + "Health", "getStatus");
    String code = (String) invoke(status, HEALTH + "Status", "getCode");
    return new Health(code, (Map<String, Object>) invoke(health, HEALTH + "Health", "getDetails"));
  }

  /** The names of the children of a composite health contributor. */
  static List<String> names(Object composite) {
    List<String> names = new ArrayList<>();
    for (Object entry : (Iterable<?>) composite) {
      names.add((String) invoke(entry, BOOT4 ? HEALTH + "HealthContributors$Entry"
          : HEALTH + "NamedContributor", BOOT4 ? "name" : "getName"));
    }
    return names;
  }

  private static Object invoke(Object target, String type, String method, Object... args) {
    try {
      Class<?>[] parameters = new Class<?>[args.length];
      for (int i = 0; i < args.length; i++) {
        parameters[i] = args[i].getClass();
      }
      Method m = type(type).getMethod(method, parameters);
      return m.invoke(target, args);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(type + "." + method, e);
    }
  }

  private static Class<?> type(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(name, e);
    }
  }

  /** Polls until the condition holds (write-behind is asynchronous), failing after the timeout. */
  static void await(String what, java.time.Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting until " + what, e);
      }
    }
  }
}
