package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.LocalCopy.Mode;
import java.io.Serializable;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.management.CacheStatisticsMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A log shared by several nodes applies the other nodes' mutations to this node's copy through
 * the {@link LocalCopy} the cache attaches: values arrive without reaching the writer or the
 * statistics, listeners hear updates (not invalidations), and the guard decides inside the key's
 * section.
 */
class LocalCopyTest {
  private final CacheManager manager = Caching.getCachingProvider()
      .getCacheManager(URI.create("jotter:local-copy-test"), getClass().getClassLoader());
  static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  /** A writer into a static map, created by class name as JCache factories are. */
  public static final class MapWriter extends TableWriterStub {}

  /** Records every event as "type key=value". */
  public static final class Recorder implements CacheEntryCreatedListener<String, String>,
      CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>,
      Serializable {
    private static final long serialVersionUID = 1L;

    private static void record(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      es.forEach(e -> EVENTS.add(e.getEventType() + " " + e.getKey() + "=" + e.getValue()));
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      record(es);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      record(es);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      record(es);
    }
  }

  @BeforeEach
  void clear() {
    RecordingLogFactory.ATTACHED.clear();
    EVENTS.clear();
    TableWriterStub.TABLE.clear();
  }

  @AfterEach
  void close() {
    manager.close();
    TableWriterStub.TABLE.clear();
  }

  private Cache<String, String> cache(JotterConfiguration<String, String> config) {
    config.setWriteBehind(WriteBehindConfiguration.builder().log("recording")
        .maxWriteDelay(java.time.Duration.ofMillis(1)).build());
    config.setTypes(String.class, String.class).setWriteThrough(true).setStatisticsEnabled(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(MapWriter.class))
        .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(Recorder.class), null, false, true));
    return manager.createCache("orders", config);
  }

  @SuppressWarnings("unchecked")
  private static LocalCopy<String, String> copy() {
    assertEquals(1, RecordingLogFactory.ATTACHED.size(), "the cache attaches its copy once");
    return (LocalCopy<String, String>) RecordingLogFactory.ATTACHED.get(0);
  }

  private static CacheStatisticsMXBean statistics(Cache<String, String> cache) {
    return JotterCache.of(cache).statistics();
  }

  @Test
  void updatesReachTheCopyAndItsListenersButNotTheWriterNorTheStatistics() {
    Cache<String, String> cache = cache(new JotterConfiguration<>());
    LocalCopy<String, String> copy = copy();
    assertTrue(copy.apply("k", "1", Mode.UPDATE, () -> true));
    assertTrue(copy.apply("k", "2", Mode.UPDATE, () -> true));
    assertEquals(0, statistics(cache).getCachePuts(), "another node's puts are not this one's");
    assertEquals("2", cache.get("k"));
    assertTrue(copy.apply("k", null, Mode.UPDATE, () -> true));
    assertNull(cache.get("k"));
    assertTrue(JotterCache.of(cache).flush(java.time.Duration.ofSeconds(10)).allWritten());
    assertEquals(Map.of(), TableWriterStub.TABLE, "the writer is not reached: the log has them");
    assertEquals(List.of("CREATED k=1", "UPDATED k=2", "REMOVED k=2"), EVENTS);
    assertEquals(0, statistics(cache).getCacheRemovals());
  }

  @Test
  void invalidationDropsTheEntrySilently() {
    Cache<String, String> cache = cache(new JotterConfiguration<>());
    cache.put("k", "mine");
    // written: else the pending write would still answer containsKey (clause 7)
    assertTrue(JotterCache.of(cache).flush(java.time.Duration.ofSeconds(10)).allWritten());
    EVENTS.clear();
    assertTrue(copy().apply("k", "theirs", Mode.INVALIDATE, () -> true));
    assertFalse(cache.containsKey("k"));
    assertEquals(List.of(), EVENTS);
  }

  @Test
  void aMutationTheGuardRefusesLeavesTheEntryAsItIs() {
    Cache<String, String> cache = cache(new JotterConfiguration<>());
    cache.put("k", "mine");
    EVENTS.clear();
    assertFalse(copy().apply("k", "older", Mode.UPDATE, () -> false));
    assertFalse(copy().apply("k", null, Mode.INVALIDATE, () -> false));
    assertEquals("mine", cache.get("k"));
    assertEquals(List.of(), EVENTS);
  }

  @Test
  void anAppliedValueTakesTheCachesExpiryAsAPutWould() {
    JotterConfiguration<String, String> config = new JotterConfiguration<>();
    config.setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ZERO));
    Cache<String, String> cache = cache(config);
    assertTrue(copy().apply("k", "v", Mode.UPDATE, () -> true));
    assertNull(cache.get("k"), "expired at creation, as a put of it would be");
  }

  @Test
  void aClosedCacheAppliesNothing() {
    Cache<String, String> cache = cache(new JotterConfiguration<>());
    LocalCopy<String, String> copy = copy();
    cache.close();
    assertFalse(copy.apply("k", "v", Mode.UPDATE, () -> true));
  }
}
