package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CachePutInterceptorTest {

  private static TestContainer container;
  private Profiles profiles;

  @BeforeAll
  static void start() {
    container = TestContainer.of(Profiles.class);
  }

  @AfterAll
  static void stop() {
    container.close();
  }

  @BeforeEach
  void freshCaches() {
    container.destroyCaches();
    profiles = container.bean(Profiles.class);
    Profiles.loads.set(0);
  }

  private Cache<Object, Object> cache() {
    return container.cacheManager().getCache("profiles");
  }

  @Test
  void putStoresTheCacheValueUnderTheKeyOfTheOtherArguments() {
    profiles.update("ann", "v1");
    assertEquals("v1", cache().get(DefaultGeneratedCacheKey.of("ann")));
    assertEquals("v1", profiles.profile("ann"), "@CacheResult reads what @CachePut wrote");
    assertEquals(0, Profiles.loads.get());
  }

  @Test
  void putAfterInvocationIsSkippedWhenTheMethodThrows() {
    profiles.update("ann", "v1");
    assertThrows(IllegalStateException.class, () -> profiles.updateThenFail("ann", "v2"));
    assertEquals("v1", cache().get(DefaultGeneratedCacheKey.of("ann")));
  }

  @Test
  void putBeforeInvocationHappensEvenWhenTheMethodThrows() {
    assertThrows(IllegalStateException.class, () -> profiles.putFirstThenFail("ann", "v2"));
    assertEquals("v2", cache().get(DefaultGeneratedCacheKey.of("ann")));
  }

  @Test
  void cacheForAndNoCacheForDecideWhetherAFailedCallStillPuts() {
    // cacheFor = IOException, noCacheFor = FileNotFoundException
    assertThrows(IOException.class, () -> profiles.updateOrFail("io", "v", new IOException()));
    assertEquals("v", cache().get(DefaultGeneratedCacheKey.of("io")));
    assertThrows(FileNotFoundException.class,
        () -> profiles.updateOrFail("fnf", "v", new FileNotFoundException()));
    assertNull(cache().get(DefaultGeneratedCacheKey.of("fnf")));
    assertThrows(IllegalStateException.class,
        () -> profiles.updateOrFail("ise", "v", new IllegalStateException()));
    assertNull(cache().get(DefaultGeneratedCacheKey.of("ise")));
  }

  @Test
  void nullCacheValueRemovesTheEntry() {
    profiles.update("ann", "v1");
    profiles.update("ann", null);
    assertNull(cache().get(DefaultGeneratedCacheKey.of("ann")));
  }

  @Test
  void cachePutWithoutCacheValueIsRejectedAtItsFirstCall() {
    IllegalStateException rejected =
        assertThrows(IllegalStateException.class, () -> profiles.noValue("ann"));
    assertTrue(rejected.getMessage().contains("@CacheValue"), rejected.getMessage());
  }

  @ApplicationScoped
  static class Profiles {
    static final AtomicInteger loads = new AtomicInteger();

    @CacheResult(cacheName = "profiles")
    public String profile(String user) {
      loads.incrementAndGet();
      return "loaded " + user;
    }

    @CachePut(cacheName = "profiles")
    public void update(String user, @CacheValue String profile) {}

    @CachePut(cacheName = "profiles")
    public void updateThenFail(String user, @CacheValue String profile) {
      throw new IllegalStateException(user);
    }

    @CachePut(cacheName = "profiles", afterInvocation = false)
    public void putFirstThenFail(String user, @CacheValue String profile) {
      throw new IllegalStateException(user);
    }

    @CachePut(cacheName = "profiles", cacheFor = IOException.class,
        noCacheFor = FileNotFoundException.class)
    public void updateOrFail(@CacheKey String user, @CacheValue String profile, Exception failure)
        throws Exception {
      throw failure;
    }

    @CachePut(cacheName = "profiles")
    public void noValue(String user) {}
  }
}
