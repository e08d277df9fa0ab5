package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.FileNotFoundException;
import java.io.IOException;
import javax.cache.Cache;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CacheRemoveInterceptorsTest {

  private static TestContainer container;
  private Sessions sessions;
  private Cache<Object, Object> cache;

  @BeforeAll
  static void start() {
    container = TestContainer.of(Sessions.class);
  }

  @AfterAll
  static void stop() {
    container.close();
  }

  @BeforeEach
  void cacheWithTwoEntries() {
    container.destroyCaches();
    sessions = container.bean(Sessions.class);
    container.cacheManager().createCache("sessions",
        new javax.cache.configuration.MutableConfiguration<>());
    cache = container.cacheManager().getCache("sessions");
    cache.put(DefaultGeneratedCacheKey.of("a"), "session a");
    cache.put(DefaultGeneratedCacheKey.of("b"), "session b");
  }

  private boolean has(String id) {
    return cache.containsKey(DefaultGeneratedCacheKey.of(id));
  }

  @Test
  void removeEvictsOnlyTheKeyOfTheCall() {
    sessions.logout("a");
    assertFalse(has("a"));
    assertEquals("session b", cache.get(DefaultGeneratedCacheKey.of("b")));
  }

  @Test
  void removeAfterInvocationIsSkippedWhenTheMethodThrows() {
    assertThrows(IllegalStateException.class, () -> sessions.logoutThenFail("a"));
    assertEquals("session a", cache.get(DefaultGeneratedCacheKey.of("a")));
  }

  @Test
  void removeBeforeInvocationHappensEvenWhenTheMethodThrows() {
    assertThrows(IllegalStateException.class, () -> sessions.evictFirstThenFail("a"));
    assertFalse(has("a"));
  }

  @Test
  void evictForAndNoEvictForDecideWhetherAFailedCallStillRemoves() {
    // evictFor = IOException, noEvictFor = FileNotFoundException
    assertThrows(IOException.class, () -> sessions.logoutOrFail("a", new IOException()));
    assertFalse(has("a"));
    assertThrows(FileNotFoundException.class,
        () -> sessions.logoutOrFail("b", new FileNotFoundException()));
    assertEquals("session b", cache.get(DefaultGeneratedCacheKey.of("b")));
  }

  @Test
  void removeAllEmptiesTheCache() {
    sessions.logoutEveryone();
    assertFalse(has("a"));
    assertFalse(has("b"));
  }

  @Test
  void removeAllAfterInvocationIsSkippedWhenTheMethodThrows() {
    assertThrows(IllegalStateException.class, () -> sessions.logoutEveryoneThenFail());
    assertEquals("session a", cache.get(DefaultGeneratedCacheKey.of("a")));
  }

  @Test
  void removeAllBeforeInvocationHappensEvenWhenTheMethodThrows() {
    assertThrows(IllegalStateException.class, () -> sessions.evictEveryoneFirstThenFail());
    assertNull(cache.get(DefaultGeneratedCacheKey.of("a")));
  }

  @Test
  void removeAllEvictForDecidesWhetherAFailedCallStillRemoves() {
    assertThrows(IllegalStateException.class,
        () -> sessions.logoutEveryoneOrFail(new IllegalStateException()));
    assertEquals("session a", cache.get(DefaultGeneratedCacheKey.of("a")), "not in evictFor");
    assertThrows(IOException.class, () -> sessions.logoutEveryoneOrFail(new IOException()));
    assertFalse(has("a"), "in evictFor");
  }

  @ApplicationScoped
  static class Sessions {

    @CacheRemove(cacheName = "sessions")
    public void logout(String id) {}

    @CacheRemove(cacheName = "sessions")
    public void logoutThenFail(String id) {
      throw new IllegalStateException(id);
    }

    @CacheRemove(cacheName = "sessions", afterInvocation = false)
    public void evictFirstThenFail(String id) {
      throw new IllegalStateException(id);
    }

    @CacheRemove(cacheName = "sessions", evictFor = IOException.class,
        noEvictFor = FileNotFoundException.class)
    public void logoutOrFail(@CacheKey String id, Exception failure) throws Exception {
      throw failure;
    }

    @CacheRemoveAll(cacheName = "sessions")
    public void logoutEveryone() {}

    @CacheRemoveAll(cacheName = "sessions")
    public void logoutEveryoneThenFail() {
      throw new IllegalStateException();
    }

    @CacheRemoveAll(cacheName = "sessions", afterInvocation = false)
    public void evictEveryoneFirstThenFail() {
      throw new IllegalStateException();
    }

    @CacheRemoveAll(cacheName = "sessions", evictFor = IOException.class)
    public void logoutEveryoneOrFail(Exception failure) throws Exception {
      throw failure;
    }
  }
}
