package dev.jotter.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.JotterCache;
import dev.jotter.configuration.FakeTicker;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import java.io.Serializable;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.EventType;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CaffeineExpiryTest {

  private static final Duration ONE_MINUTE = new Duration(TimeUnit.MINUTES, 1);

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("test:CaffeineExpiryTest"), getClass().getClassLoader());
  private final FakeTicker ticker = new FakeTicker();

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private Cache<String, String> cache(Factory<? extends ExpiryPolicy> policy) {
    var config = new JotterConfiguration<String, String>().setTickerFactory(ticker.factory());
    config.setTypes(String.class, String.class)
        .setExpiryPolicyFactory(policy)
        .setStatisticsEnabled(true);
    return manager.createCache("expiring", config);
  }

  private void advanceSeconds(long seconds) {
    ticker.advance(java.time.Duration.ofSeconds(seconds));
  }

  @Test
  void creationExpiryRemovesTheEntryOnceItsTimeHasPassed() {
    Cache<String, String> cache = cache(CreatedExpiryPolicy.factoryOf(ONE_MINUTE));
    cache.put("k", "v");

    advanceSeconds(59);
    assertEquals("v", cache.get("k"));

    advanceSeconds(2);
    assertNull(cache.get("k"));
    assertFalse(cache.containsKey("k"));
  }

  @Test
  void creationExpiryIsNotExtendedByReadsOrUpdates() {
    Cache<String, String> cache = cache(CreatedExpiryPolicy.factoryOf(ONE_MINUTE));
    cache.put("k", "v");
    advanceSeconds(40);
    cache.get("k");
    cache.put("k", "w");
    advanceSeconds(21);
    assertNull(cache.get("k"));
  }

  @Test
  void accessExpiryIsExtendedByEachRead() {
    Cache<String, String> cache = cache(AccessedExpiryPolicy.factoryOf(ONE_MINUTE));
    cache.put("k", "v");

    advanceSeconds(50);
    assertEquals("v", cache.get("k")); // now lives until 110s
    advanceSeconds(50);
    assertEquals("v", cache.get("k")); // now lives until 160s
    advanceSeconds(59);
    assertTrue(cache.containsKey("k"));
    advanceSeconds(2);
    assertNull(cache.get("k"));
  }

  @Test
  void updateExpiryIsExtendedByEachUpdateButNotByReads() {
    Cache<String, String> cache = cache(ModifiedExpiryPolicy.factoryOf(ONE_MINUTE));
    cache.put("k", "v");

    advanceSeconds(50);
    cache.put("k", "w"); // now lives until 110s
    advanceSeconds(50);
    assertEquals("w", cache.get("k")); // a read does not extend
    advanceSeconds(11);
    assertNull(cache.get("k"));
  }

  @Test
  void zeroCreationDurationStoresNothing() {
    Cache<String, String> cache = cache(CreatedExpiryPolicy.factoryOf(Duration.ZERO));
    cache.put("k", "v");
    assertFalse(cache.containsKey("k"));
    assertEquals(0, cache.unwrap(JotterCache.class).statistics().getCachePuts());
  }

  @Test
  void eternalEntriesOutliveAnyAdvance() {
    Cache<String, String> cache = cache(FactoryBuilder.factoryOf(
        javax.cache.expiry.EternalExpiryPolicy.class));
    cache.put("k", "v");
    ticker.advance(java.time.Duration.ofDays(3650));
    assertEquals("v", cache.get("k"));
  }

  @Test
  void expiredEntryRaisesExpiredEventWithOldValueAndCountsAnEviction() {
    Cache<String, String> cache = cache(CreatedExpiryPolicy.factoryOf(ONE_MINUTE));
    ExpiredRecorder recorder = new ExpiredRecorder();
    cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(recorder), null, true, true));
    cache.put("k", "v");

    advanceSeconds(61);
    assertNull(cache.get("k"));

    assertEquals(1, recorder.events.size(), () -> "events: " + recorder.events);
    CacheEntryEvent<? extends String, ? extends String> event = recorder.events.get(0);
    assertEquals(EventType.EXPIRED, event.getEventType());
    assertEquals("k", event.getKey());
    assertEquals("v", event.getOldValue());
    assertEquals(1, cache.unwrap(JotterCache.class).statistics().getCacheEvictions());
  }

  @Test
  void expiredEventReachesAnAsynchronousListener() throws Exception {
    Cache<String, String> cache = cache(CreatedExpiryPolicy.factoryOf(ONE_MINUTE));
    ExpiredRecorder recorder = new ExpiredRecorder();
    cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(recorder), null, true, false));
    cache.put("k", "v");

    advanceSeconds(61);
    cache.get("k");

    assertTrue(recorder.latch.await(10, TimeUnit.SECONDS), "no EXPIRED event within 10s");
    assertEquals("v", recorder.events.get(0).getOldValue());
  }

  static final class ExpiredRecorder
      implements CacheEntryExpiredListener<String, String>, Serializable {
    private static final long serialVersionUID = 1L;
    final List<CacheEntryEvent<? extends String, ? extends String>> events =
        new CopyOnWriteArrayList<>();
    final transient CountDownLatch latch = new CountDownLatch(1);

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      batch.forEach(events::add);
      latch.countDown();
    }
  }
}
