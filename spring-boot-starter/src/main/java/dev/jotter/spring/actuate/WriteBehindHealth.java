package dev.jotter.spring.actuate;

import dev.jotter.metrics.SyncDelays;
import dev.jotter.spring.JotterProperties;
import dev.jotter.spring.WriteBehindCache;
import dev.jotter.spring.WriteBehindCaches;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The health of one write-behind cache, from the {@code jotter.health.*} rules, without any
 * actuator type: the health contributors of both Spring Boot lines ({@code boot3/}, {@code boot4/})
 * turn it into their {@code Health}.
 *
 * <table>
 *   <caption>Rules and their defaults</caption>
 *   <tr><th>rule</th><th>fires when</th><th>default threshold</th><th>default status</th></tr>
 *   <tr><td>{@code writer-failing}</td><td>writer calls have written nothing for longer than the
 *       threshold</td><td>1m</td><td>DOWN</td></tr>
 *   <tr><td>{@code lag}</td><td>the oldest pending operation waited longer than the
 *       threshold</td><td>1m</td><td>DEGRADED</td></tr>
 *   <tr><td>{@code dead-letters}</td><td>at least threshold dead letters are kept</td><td>1</td>
 *       <td>DEGRADED</td></tr>
 *   <tr><td>{@code pending}</td><td>at least threshold operations are pending</td><td>off</td>
 *       <td>DEGRADED</td></tr>
 * </table>
 *
 * <p>The cache is UP when no rule fires; otherwise its status is the most severe of the rules that
 * fire: DOWN, then OUT_OF_SERVICE, then any other (DEGRADED), and {@code reasons} says which fired.
 * A rule whose status is UP, or whose threshold is unset, never fires. "Writer failing" counts
 * only while operations are pending: once the failing ones are dead letters, the dead-letter rule
 * speaks for them.
 */
public final class WriteBehindHealth {

  /** The status of a cache that works but needs attention: Spring Boot ranks it as configured. */
  public static final String DEGRADED = "DEGRADED";
  private static final String UP = "UP";

  private final JotterProperties.Health rules;

  /** Health by {@code rules}, read at every check (so they may change at run time). */
  public WriteBehindHealth(JotterProperties.Health rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /**
   * A cache's health.
   *
   * @param status the status code ({@code UP}, {@code DOWN}, {@code DEGRADED}, ...)
   * @param details what the health endpoint shows
   */
  public record Result(String status, Map<String, Object> details) {}

  /**
   * The names under the {@code jotter} health contributor: the write-behind caches, or, when
   * several cache managers have some, the cache managers, each with its caches.
   *
   * @return by cache manager name, the names of its caches; sorted
   */
  public static Map<String, List<String>> tree(WriteBehindCaches caches) {
    Map<String, List<String>> tree = new LinkedHashMap<>();
    for (WriteBehindCache cache : caches.list()) {
      tree.computeIfAbsent(cache.cacheManager(), name -> new ArrayList<>()).add(cache.name());
    }
    return tree;
  }

  /**
   * The health of cache {@code name} of {@code cacheManager} now; UNKNOWN if it closed or is gone.
   */
  public Result check(WriteBehindCaches caches, String cacheManager, String name) {
    return caches.find(name, cacheManager).map(this::check)
        .orElseGet(() -> new Result("UNKNOWN", Map.of("cacheManager", cacheManager, "cache", name,
            "closed", true)));
  }

  /** The health of {@code cache} now. */
  public Result check(WriteBehindCache cache) {
    Result result = check(cache.statistics(), cache.syncDelay());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cacheManager", cache.cacheManager());
    details.putAll(result.details());
    return new Result(result.status(), details);
  }

  /** The health of a cache with these figures. */
  public Result check(WriteBehindStatistics stats, SyncDelays.Snapshot syncDelay) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pending", stats.pendingOperations());
    details.put("lag", CacheViews.text(stats.oldestPendingAge()));
    Duration failing = CacheViews.writerFailingFor(stats);
    details.put("writerFailingFor", CacheViews.text(failing));
    details.put("deadLetters", stats.deadLetters());
    details.put("syncDelayP50", CacheViews.text(syncDelay.median()));
    details.put("syncDelayP99", CacheViews.text(syncDelay.p99()));
    List<String> reasons = new ArrayList<>();
    String status = UP;
    status = worse(status, longer(rules.getWriterFailing(), failing,
        "writer failing for", reasons));
    status = worse(status, longer(rules.getLag(), stats.oldestPendingAge(), "lag", reasons));
    status = worse(status, atLeast(rules.getDeadLetters(), stats.deadLetters(), "dead letters",
        reasons));
    status = worse(status, atLeast(rules.getPending(), stats.pendingOperations(),
        "pending operations", reasons));
    if (!reasons.isEmpty()) {
      details.put("reasons", reasons);
    }
    return new Result(status, details);
  }

  private static String longer(JotterProperties.DurationRule rule, Duration value, String what,
      List<String> reasons) {
    String status = statusOf(rule.getStatus());
    Duration threshold = rule.getThreshold();
    if (threshold == null || status.equals(UP) || value.compareTo(threshold) <= 0) {
      return UP;
    }
    reasons.add(what + " " + value + " > " + threshold + ": " + status);
    return status;
  }

  private static String atLeast(JotterProperties.CountRule rule, long value, String what,
      List<String> reasons) {
    String status = statusOf(rule.getStatus());
    Long threshold = rule.getThreshold();
    if (threshold == null || status.equals(UP) || value < threshold) {
      return UP;
    }
    reasons.add(what + " " + value + " >= " + threshold + ": " + status);
    return status;
  }

  private static String statusOf(String configured) {
    return (configured == null || configured.isBlank()) ? DEGRADED
        : configured.trim().toUpperCase(Locale.ROOT);
  }

  /** The more severe of two statuses; the first on a tie. */
  static String worse(String a, String b) {
    return severity(b) < severity(a) ? b : a;
  }

  private static int severity(String status) {
    switch (status) {
      case "DOWN":
        return 0;
      case "OUT_OF_SERVICE":
        return 1;
      case UP:
        return 3;
      default:
        return 2;
    }
  }
}
