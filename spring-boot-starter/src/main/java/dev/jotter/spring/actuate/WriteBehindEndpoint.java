package dev.jotter.spring.actuate;

import dev.jotter.configuration.ConfigurationFile;
import dev.jotter.spring.WriteBehindCache;
import dev.jotter.spring.WriteBehindCaches;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The {@code writebehind} actuator endpoint: the state of the context's write-behind caches, their
 * dead letters, and the operator's acts on them. Exposed like every actuator endpoint (over HTTP
 * only when {@code management.endpoints.web.exposure.include} names it; secure it like the
 * others).
 *
 * <table>
 *   <caption>Operations (over HTTP, under {@code /actuator})</caption>
 *   <tr><td>{@code GET /writebehind}</td><td>every write-behind cache, by cache manager: pending,
 *       lag, writer failing for, dead letters, recent sync delay (p50, p99, max), counters</td></tr>
 *   <tr><td>{@code GET /writebehind/{cache}}</td><td>one cache (404 if there is none)</td></tr>
 *   <tr><td>{@code GET /writebehind/{cache}/dead-letters?offset=0&limit=100}</td><td>a page of
 *       its dead letters, oldest first: key, write or delete, attempts, first and last failure,
 *       cause; never the value</td></tr>
 *   <tr><td>{@code POST /writebehind/{cache}/flush} {@code {"timeout":"10s"}}</td><td>waits (at
 *       most the timeout, the cache's drain timeout by default) until everything acknowledged so
 *       far is written or dead-lettered; returns the flush result</td></tr>
 *   <tr><td>{@code POST /writebehind/{cache}/resubmit} {@code {"keys":"42,43"}}</td><td>queues
 *       the dead letters of these keys (by their {@code toString()}) again with a fresh retry
 *       budget; all of them without {@code keys}</td></tr>
 *   <tr><td>{@code POST /writebehind/{cache}/discard} {@code {"keys":"42,43"}} or {@code
 *       {"all":"true"}}</td><td>drops dead letters for good: their writes never reach the
 *       database</td></tr>
 * </table>
 *
 * <p>Spring Boot reads the body of a write operation as a JSON object of strings: {@code keys} is
 * one string, the keys separated by commas.
 *
 * <p>Every operation takes an optional {@code cacheManager} (its bean name) for when several
 * cache managers have a cache of the same name. Write operations are an operator's acts: each is
 * logged (WARN for a discard) with its outcome.
 */
@Endpoint(id = "writebehind")
public class WriteBehindEndpoint {

  private static final Log log = LogFactory.getLog(WriteBehindEndpoint.class);
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1_000;

  private final WriteBehindCaches caches;

  public WriteBehindEndpoint(WriteBehindCaches caches) {
    this.caches = Objects.requireNonNull(caches, "caches");
  }

  /** Every write-behind cache, grouped by cache manager. */
  @ReadOperation
  public Map<String, Object> caches() {
    Map<String, Map<String, Object>> byManager = new LinkedHashMap<>();
    for (WriteBehindCache cache : caches.list()) {
      Map<String, Object> manager = byManager.computeIfAbsent(cache.cacheManager(),
          name -> new LinkedHashMap<>(Map.of("caches", new LinkedHashMap<String, Object>())));
      @SuppressWarnings("unchecked")
      Map<String, Object> list = (Map<String, Object>) manager.get("caches");
      Map<String, Object> state = CacheViews.state(cache);
      state.remove("cacheManager");
      state.remove("cache");
      list.put(cache.name(), state);
    }
    return Map.of("cacheManagers", byManager);
  }

  /** One cache, or null (404) if there is none of that name. */
  @ReadOperation
  public Map<String, Object> cache(@Selector String cache, @Nullable String cacheManager) {
    return find(cache, cacheManager).map(CacheViews::state).orElse(null);
  }

  /** A page of the dead letters of a cache ({@code view} is {@code dead-letters}). */
  @ReadOperation
  public Map<String, Object> deadLetters(@Selector String cache, @Selector String view,
      @Nullable Integer offset, @Nullable Integer limit, @Nullable String cacheManager) {
    if (!"dead-letters".equals(view)) {
      throw new InvalidEndpointRequestException("Unknown view '" + view + "' of cache '" + cache
          + "'; there is 'dead-letters'", "unknown view");
    }
    WriteBehindCache found = find(cache, cacheManager).orElse(null);
    if (found == null) {
      return null;
    }
    int from = (offset == null) ? 0 : offset;
    int size = (limit == null) ? DEFAULT_LIMIT : limit;
    if (from < 0 || size < 0 || size > MAX_LIMIT) {
      throw new InvalidEndpointRequestException("offset must be 0 or more and limit 0 to "
          + MAX_LIMIT + ", were " + from + " and " + size, "bad page");
    }
    DeadLetters<?, ?> letters = found.deadLetters();
    List<Map<String, Object>> page = new ArrayList<>();
    for (DeadLetter<?, ?> letter : letters.list(from, size)) {
      page.add(CacheViews.deadLetter(letter));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("cacheManager", found.cacheManager());
    result.put("cache", found.name());
    result.put("total", letters.size());
    result.put("offset", from);
    result.put("limit", size);
    result.put("deadLetters", page);
    return result;
  }

  /**
   * An operator's act on a cache: {@code flush}, {@code resubmit} or {@code discard}.
   *
   * @param keys the dead letters' keys, by {@code toString()} (resubmit, discard)
   * @param all with {@code discard} and no keys: every dead letter
   * @param timeout how long {@code flush} waits ({@code 10s}, {@code PT10S}); the cache's drain
   *     timeout by default
   */
  @WriteOperation
  public Map<String, Object> act(@Selector String cache, @Selector String action,
      @Nullable List<String> keys, @Nullable Boolean all, @Nullable String timeout,
      @Nullable String cacheManager) {
    WriteBehindCache found = find(cache, cacheManager).orElse(null);
    if (found == null) {
      return null;
    }
    switch (action) {
      case "flush":
        return flush(found, timeout);
      case "resubmit":
        return resubmit(found, keys);
      case "discard":
        return discard(found, keys, Boolean.TRUE.equals(all));
      default:
        throw new InvalidEndpointRequestException("Unknown action '" + action + "' on cache '"
            + cache + "'; there are flush, resubmit and discard", "unknown action");
    }
  }

  private Map<String, Object> flush(WriteBehindCache cache, String timeout) {
    Duration wait;
    try {
      wait = (timeout == null) ? cache.drainTimeout()
          : ConfigurationFile.parseDuration("timeout", timeout);
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), "bad timeout");
    }
    FlushResult result = cache.flush(wait);
    log.info("Operator flush of write-behind cache '" + cache.name() + "' (cache manager '"
        + cache.cacheManager() + "') through the writebehind endpoint: " + result);
    return CacheViews.flush(cache, result);
  }

  private Map<String, Object> resubmit(WriteBehindCache cache, List<String> keys) {
    int before = cache.deadLetters().size();
    int resubmitted = (keys == null || keys.isEmpty())
        ? cache.monitor().resubmitDeadLetters()
        : cache.monitor().resubmitDeadLetters(keySet(keys));
    log.info("Operator resubmit of " + ((keys == null || keys.isEmpty()) ? "all " + before
        : "the keys " + keys + " of the " + before) + " dead letters of write-behind cache '"
        + cache.name() + "' (cache manager '" + cache.cacheManager() + "') through the writebehind"
        + " endpoint: " + resubmitted + " queued again");
    return outcome(cache, "resubmitted", resubmitted);
  }

  private Map<String, Object> discard(WriteBehindCache cache, List<String> keys, boolean all) {
    boolean none = keys == null || keys.isEmpty();
    if (none && !all) {
      throw new InvalidEndpointRequestException("discard drops dead letters for good: give their"
          + " keys, or all=true for every one", "no keys");
    }
    int before = cache.deadLetters().size();
    int discarded = none ? cache.monitor().discardDeadLetters()
        : cache.monitor().discardDeadLetters(keySet(keys));
    log.warn("Operator discard of " + (none ? "all " + before : "the keys " + keys + " of the "
        + before) + " dead letters of write-behind cache '" + cache.name() + "' (cache manager '"
        + cache.cacheManager() + "') through the writebehind endpoint: " + discarded
        + " dropped for good; their writes will never reach the writer");
    return outcome(cache, "discarded", discarded);
  }

  private static Map<String, Object> outcome(WriteBehindCache cache, String what, int count) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("cacheManager", cache.cacheManager());
    result.put("cache", cache.name());
    result.put(what, count);
    result.put("deadLetters", cache.deadLetters().size());
    return result;
  }

  private static Set<String> keySet(List<String> keys) {
    return new LinkedHashSet<>(keys);
  }

  private java.util.Optional<WriteBehindCache> find(String cache, String cacheManager) {
    try {
      return caches.find(cache, cacheManager);
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), "ambiguous cache");
    }
  }
}
