package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.annotation.Annotation;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CacheKeyInvocationContext;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import javax.cache.annotation.GeneratedCacheKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CacheDefaultsAndClassLevelTest {

  private static TestContainer container;

  @BeforeAll
  static void start() {
    container = TestContainer.of(Catalog.class, Rates.class, Conflicting.class);
  }

  @AfterAll
  static void stop() {
    container.close();
  }

  @BeforeEach
  void freshCaches() {
    container.destroyCaches();
    Catalog.calls.set(0);
    Rates.calls.set(0);
  }

  @Test
  void cacheDefaultsNameAppliesToMethodsNamingNoCache() {
    container.bean(Catalog.class).find("a");
    assertNotNull(container.cacheManager().getCache("catalog").get(DefaultGeneratedCacheKey.of("A")));
  }

  @Test
  void methodCacheNameWinsOverCacheDefaults() {
    container.bean(Catalog.class).special("a");
    assertNotNull(container.cacheManager().getCache("special"));
  }

  @Test
  void cacheDefaultsKeyGeneratorMakesTheKeys() {
    Catalog catalog = container.bean(Catalog.class);
    catalog.find("a");
    catalog.find("A");
    assertEquals(1, Catalog.calls.get(), "the upper-casing key generator makes one key");
    catalog.forget("a");
    catalog.find("A");
    assertEquals(2, Catalog.calls.get(), "@CacheRemove used the same generator and cache");
  }

  @Test
  void classLevelCacheResultAppliesToEveryMethod() {
    Rates rates = container.bean(Rates.class);
    rates.rate("EUR");
    rates.rate("EUR");
    rates.inverse("JPY");
    rates.inverse("JPY");
    assertEquals(2, Rates.calls.get());
    assertEquals("rate of EUR", rates.inverse("EUR"),
        "one cache, one key: methods sharing a cache share its entries");
  }

  @Test
  void methodAnnotationWinsOverClassLevelAnnotation() {
    Rates rates = container.bean(Rates.class);
    rates.rate("EUR");
    rates.reset();
    rates.rate("EUR");
    assertEquals(2, Rates.calls.get(), "reset() ran @CacheRemoveAll, not the class's @CacheResult");
    rates.set("USD", "1.1");
    assertEquals("1.1", rates.rate("USD"), "set() ran @CachePut");
    assertEquals(2, Rates.calls.get());
  }

  @Test
  void twoCacheAnnotationsOnOneMethodAreRejected() {
    IllegalStateException rejected =
        assertThrows(IllegalStateException.class, () -> container.bean(Conflicting.class).both("a"));
    assertTrue(rejected.getMessage().contains("Only one of"), rejected.getMessage());
    assertNull(container.cacheManager().getCache("conflicting"));
  }

  /** Keys are the upper-cased first key parameter. */
  public static class UpperCaseKeyGenerator implements CacheKeyGenerator {
    @Override
    public GeneratedCacheKey generateCacheKey(
        CacheKeyInvocationContext<? extends Annotation> context) {
      return DefaultGeneratedCacheKey.of(
          context.getKeyParameters()[0].getValue().toString().toUpperCase(Locale.ROOT));
    }
  }

  @ApplicationScoped
  @CacheDefaults(cacheName = "catalog", cacheKeyGenerator = UpperCaseKeyGenerator.class)
  static class Catalog {
    static final AtomicInteger calls = new AtomicInteger();

    @CacheResult
    public String find(String id) {
      calls.incrementAndGet();
      return "item " + id;
    }

    @CacheResult(cacheName = "special")
    public String special(String id) {
      return "special " + id;
    }

    @CacheRemove
    public void forget(String id) {}
  }

  @ApplicationScoped
  @CacheResult(cacheName = "rates")
  static class Rates {
    static final AtomicInteger calls = new AtomicInteger();

    public String rate(String currency) {
      calls.incrementAndGet();
      return "rate of " + currency;
    }

    public String inverse(String currency) {
      calls.incrementAndGet();
      return "inverse of " + currency;
    }

    @CacheRemoveAll(cacheName = "rates")
    public void reset() {}

    @CachePut(cacheName = "rates")
    public void set(String currency, @CacheValue String rate) {}
  }

  @ApplicationScoped
  static class Conflicting {
    @CacheResult(cacheName = "conflicting")
    @CacheRemove(cacheName = "conflicting")
    public String both(String id) {
      return id;
    }
  }
}
