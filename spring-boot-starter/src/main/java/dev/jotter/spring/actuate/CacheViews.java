package dev.jotter.spring.actuate;

import dev.jotter.metrics.SyncDelays;
import dev.jotter.spring.WriteBehindCache;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shapes of the endpoint and the health details: maps of strings and numbers only, so
 * that both Spring Boot lines (Jackson 2 on 3.5, Jackson 3 on 4.0) write them alike. Durations are
 * ISO-8601 ({@code PT1.5S}), instants ISO-8601 UTC. Never a value of the cache: keys, counts,
 * times and causes.
 */
final class CacheViews {

  private CacheViews() {}

  /** Everything about one cache: statistics, sync delay, settings. */
  static Map<String, Object> state(WriteBehindCache cache) {
    WriteBehindStatistics stats = cache.statistics();
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("cacheManager", cache.cacheManager());
    state.put("cache", cache.name());
    state.put("pending", stats.pendingOperations());
    state.put("lag", text(stats.oldestPendingAge()));
    state.put("writerFailingFor", text(writerFailingFor(stats)));
    state.put("deadLetters", stats.deadLetters());
    state.put("syncDelay", syncDelay(cache.syncDelay()));
    state.put("written", stats.written());
    state.put("coalesced", stats.coalesced());
    state.put("writerCalls", stats.writerCalls());
    state.put("batches", stats.batches());
    state.put("retried", stats.retried());
    state.put("failed", stats.failed());
    state.put("deadLettered", stats.deadLettered());
    state.put("deadLettersDiscarded", stats.deadLettersDiscarded());
    state.put("deadLetterOverflow", stats.deadLetterOverflow());
    state.put("overflowEvents", stats.overflowEvents());
    state.put("lost", stats.lost());
    state.put("overflowPolicy", cache.monitor().overflowPolicy().name());
    state.put("journaled", cache.monitor().isJournaled());
    state.put("drainTimeout", text(cache.drainTimeout()));
    return state;
  }

  /**
   * How long the writer has been failing, while something waits for it. Jotter's figure runs on
   * after its last failed operation was dead-lettered (it resets only when a writer call succeeds),
   * so a single poison row would read as a writer failing for hours; with nothing pending there is
   * no writer to fail.
   */
  static Duration writerFailingFor(WriteBehindStatistics stats) {
    return (stats.pendingOperations() == 0) ? Duration.ZERO : stats.writerFailingFor();
  }

  static Map<String, Object> syncDelay(SyncDelays.Snapshot delay) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("count", delay.count());
    view.put("p50", text(delay.median()));
    view.put("p99", text(delay.p99()));
    view.put("max", text(delay.max()));
    return view;
  }

  /** A dead letter: its key (as {@code toString()}), the failure, never the value. */
  static Map<String, Object> deadLetter(DeadLetter<?, ?> letter) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("key", String.valueOf(letter.key()));
    view.put("operation", letter.isDelete() ? "delete" : "write");
    view.put("attempts", letter.attempts());
    view.put("firstFailure", text(letter.firstFailure()));
    view.put("lastFailure", text(letter.lastFailure()));
    view.put("cause", letter.causeClass());
    view.put("message", letter.causeMessage().orElse(null));
    return view;
  }

  static Map<String, Object> flush(WriteBehindCache cache, FlushResult result) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("cacheManager", cache.cacheManager());
    view.put("cache", cache.name());
    view.put("completed", result.completed());
    view.put("allWritten", result.allWritten());
    view.put("written", result.written());
    view.put("deadLettered", result.deadLettered());
    view.put("superseded", result.superseded());
    view.put("pending", result.pending());
    view.put("waited", text(result.waited()));
    return view;
  }

  static String text(Duration duration) {
    return duration == null ? null : duration.toString();
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
