package dev.jotter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import java.io.Closeable;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CacheCloseTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("test:CacheCloseTest"), getClass().getClassLoader());

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private Cache<String, String> plainCache(String name) {
    var config = new JotterConfiguration<String, String>();
    config.setTypes(String.class, String.class);
    return manager.createCache(name, config);
  }

  /** A slow loader that remembers whether it was closed while a load was running. */
  public static final class SlowCloseableLoader
      implements javax.cache.integration.CacheLoader<String, String>, java.io.Closeable,
      java.io.Serializable {
    private static final long serialVersionUID = 1L;
    static final java.util.concurrent.CountDownLatch STARTED = new java.util.concurrent.CountDownLatch(1);
    static final java.util.concurrent.CountDownLatch RELEASE = new java.util.concurrent.CountDownLatch(1);
    static final java.util.concurrent.atomic.AtomicInteger LOADING = new java.util.concurrent.atomic.AtomicInteger();
    static volatile boolean closed;
    static volatile boolean closedWhileLoading;

    @Override
    public String load(String key) {
      return loadAll(List.of(key)).get(key);
    }

    @Override
    public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
      LOADING.incrementAndGet();
      STARTED.countDown();
      try {
        RELEASE.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LOADING.decrementAndGet();
      return java.util.Map.of("k", "v");
    }

    @Override
    public void close() {
      closedWhileLoading |= LOADING.get() > 0;
      closed = true;
    }
  }

  @Test
  void closingACacheLetsARunningLoadAllEndBeforeItClosesTheLoader() throws Exception {
    JotterConfiguration<String, String> config = new JotterConfiguration<>();
    config.setTypes(String.class, String.class).setReadThrough(true)
        .setCacheLoaderFactory(javax.cache.configuration.FactoryBuilder.factoryOf(
            new SlowCloseableLoader()));
    Cache<String, String> cache = manager.createCache("loading", config);
    cache.loadAll(java.util.Set.of("k"), false, null); // no listener: nothing waits for it
    assertTrue(SlowCloseableLoader.STARTED.await(10, java.util.concurrent.TimeUnit.SECONDS));
    Thread[] closer = new Thread[1];
    java.util.concurrent.CompletableFuture<Void> closing = new java.util.concurrent.CompletableFuture<>();
    closer[0] = new Thread(() -> {
      cache.close();
      closing.complete(null);
    }, "closer");
    closer[0].start();
    // the close either waits for the load (timed wait) or has already closed the loader under it
    Await.until("close waits or ends", () -> closing.isDone()
        || closer[0].getState() == Thread.State.TIMED_WAITING);
    SlowCloseableLoader.RELEASE.countDown();
    closing.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(SlowCloseableLoader.closed, "the loader is closed with its cache");
    assertFalse(SlowCloseableLoader.closedWhileLoading,
        "a loader closed under a running load is used after its close (the TCK's socket loader "
            + "then quietly reconnects)");
  }

  @Test
  void everyOperationOnAClosedCacheThrowsIllegalState() {
    Cache<String, String> cache = plainCache("closed");
    cache.put("k", "v");
    cache.close();

    List<Executable> operations = List.of(
        () -> cache.get("k"),
        () -> cache.getAll(Set.of("k")),
        () -> cache.containsKey("k"),
        () -> cache.loadAll(Set.of("k"), false, null),
        () -> cache.put("k", "v"),
        () -> cache.getAndPut("k", "v"),
        () -> cache.putAll(Map.of("k", "v")),
        () -> cache.putIfAbsent("k", "v"),
        () -> cache.remove("k"),
        () -> cache.remove("k", "v"),
        () -> cache.getAndRemove("k"),
        () -> cache.replace("k", "v", "w"),
        () -> cache.replace("k", "v"),
        () -> cache.getAndReplace("k", "v"),
        () -> cache.removeAll(Set.of("k")),
        cache::removeAll,
        cache::clear,
        () -> cache.invoke("k", (entry, args) -> null),
        () -> cache.invokeAll(Set.of("k"), (entry, args) -> null),
        cache::iterator,
        () -> cache.unwrap(JotterCache.class).flush());
    for (int i = 0; i < operations.size(); i++) {
      int index = i;
      var e = assertThrows(IllegalStateException.class, operations.get(i),
          () -> "operation #" + index + " did not fail on a closed cache");
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
  }

  @Test
  void closedCacheStillAnswersIdentityQueries() {
    Cache<String, String> cache = plainCache("identity");
    cache.close();
    assertTrue(cache.isClosed());
    assertEquals("identity", cache.getName());
    assertSame(manager, cache.getCacheManager());
    assertSame(cache, cache.unwrap(JotterCache.class));
    assertEquals(String.class, cache.getConfiguration(JotterConfiguration.class).getKeyType());
  }

  @Test
  void closeIsIdempotent() {
    Cache<String, String> cache = plainCache("twice");
    cache.close();
    cache.close();
    assertTrue(cache.isClosed());
  }

  @Test
  void closingACacheRemovesItFromTheManager() {
    Cache<String, String> kept = plainCache("kept");
    plainCache("closed").close();
    List<String> names = new ArrayList<>();
    manager.getCacheNames().forEach(names::add);
    assertEquals(List.of("kept"), names);
    assertNull(manager.getCache("closed"));
    assertSame(kept, manager.getCache("kept"));
  }

  @Test
  void closedCacheNameCanBeCreatedAgainEmpty() {
    Cache<String, String> first = plainCache("again");
    first.put("k", "v");
    first.close();
    Cache<String, String> second = plainCache("again");
    assertFalse(second.containsKey("k"));
  }

  @Test
  void destroyCacheClosesAndForgetsIt() {
    Cache<String, String> cache = plainCache("destroyed");
    cache.put("k", "v");
    manager.destroyCache("destroyed");
    assertTrue(cache.isClosed());
    assertNull(manager.getCache("destroyed"));
  }

  @Test
  void closingTheManagerClosesItsCaches() {
    Cache<String, String> a = plainCache("a");
    Cache<String, String> b = plainCache("b");
    manager.close();
    assertTrue(manager.isClosed());
    assertTrue(a.isClosed());
    assertTrue(b.isClosed());
    assertThrows(IllegalStateException.class, () -> a.get("k"));
  }

  @Test
  void providerCloseClosesAllManagersAndTheirCaches() {
    CacheManager other =
        provider.getCacheManager(URI.create("test:CacheCloseTest-other"), getClass().getClassLoader());
    Cache<String, String> here = plainCache("here");
    Cache<String, String> there =
        other.createCache("there", new JotterConfiguration<String, String>());
    provider.close();
    assertTrue(manager.isClosed());
    assertTrue(other.isClosed());
    assertTrue(here.isClosed());
    assertTrue(there.isClosed());
  }

  @Test
  void closeableLoaderWriterExpiryPolicyListenerAndFilterAreClosedWithTheCache() {
    ClosingLoader loader = new ClosingLoader();
    ClosingWriter writer = new ClosingWriter();
    ClosingExpiry expiry = new ClosingExpiry();
    ClosingListener listener = new ClosingListener();
    ClosingFilter filter = new ClosingFilter();
    var config = new JotterConfiguration<String, String>();
    config.setCacheLoaderFactory(FactoryBuilder.factoryOf(loader)).setReadThrough(true);
    config.setCacheWriterFactory(FactoryBuilder.factoryOf(writer)).setWriteThrough(true);
    config.setExpiryPolicyFactory(FactoryBuilder.factoryOf(expiry));
    config.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(listener), FactoryBuilder.factoryOf(filter), false, true));
    Cache<String, String> cache = manager.createCache("closeables", config);
    cache.put("k", "v");
    assertEquals(1, listener.created.get(), "the listener is live before the close");
    assertFalse(loader.closed || writer.closed || expiry.closed || listener.closed || filter.closed);

    cache.close();

    assertTrue(loader.closed, "loader");
    assertTrue(writer.closed, "writer");
    assertTrue(expiry.closed, "expiry policy");
    assertTrue(listener.closed, "listener");
    assertTrue(filter.closed, "filter");
  }

  @Test
  void closeableResourcesAreClosedWhenTheManagerCloses() {
    ClosingLoader loader = new ClosingLoader();
    var config = new JotterConfiguration<String, String>();
    config.setCacheLoaderFactory(FactoryBuilder.factoryOf(loader)).setReadThrough(true);
    manager.createCache("closeables", config);
    manager.close();
    assertTrue(loader.closed);
  }

  @Test
  void deregisteredListenerIsClosedAndHearsNoMore() {
    ClosingListener listener = new ClosingListener();
    var listenerConfig = new MutableCacheEntryListenerConfiguration<String, String>(
        FactoryBuilder.factoryOf(listener), null, false, true);
    Cache<String, String> cache = plainCache("deregistered");
    cache.registerCacheEntryListener(listenerConfig);
    cache.put("a", "1");
    cache.deregisterCacheEntryListener(listenerConfig);
    cache.put("b", "2");
    assertTrue(listener.closed);
    assertEquals(1, listener.created.get());
  }

  static final class ClosingLoader implements CacheLoader<String, String>, Closeable, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    volatile boolean closed;

    @Override
    public String load(String key) {
      return null;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      return Map.of();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class ClosingWriter implements CacheWriter<String, String>, Closeable, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    volatile boolean closed;

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {}

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {}

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class ClosingExpiry implements ExpiryPolicy, Closeable, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    volatile boolean closed;

    @Override
    public Duration getExpiryForCreation() {
      return Duration.ETERNAL;
    }

    @Override
    public Duration getExpiryForAccess() {
      return null;
    }

    @Override
    public Duration getExpiryForUpdate() {
      return null;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class ClosingListener
      implements CacheEntryCreatedListener<String, String>, Closeable, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final AtomicInteger created = new AtomicInteger();
    volatile boolean closed;

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> created.incrementAndGet());
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class ClosingFilter
      implements CacheEntryEventFilter<String, String>, Closeable, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    volatile boolean closed;

    @Override
    public boolean evaluate(CacheEntryEvent<? extends String, ? extends String> event) {
      return true;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
