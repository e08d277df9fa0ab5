package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.annotation.CacheResult;
import org.junit.jupiter.api.Test;

class ApplicationCacheManagerTest {

  static final URI APPLICATION_URI = URI.create("jotter:annotations-application-manager");

  @Test
  void producedCacheManagerReplacesTheDefaultOne() {
    try (TestContainer container = TestContainer.of(ManagerProducer.class, Prices.class)) {
      Prices prices = container.bean(Prices.class);
      prices.price("tea");
      prices.price("tea");
      assertEquals(1, Prices.calls.get());

      CacheManager injected = container.cacheManager();
      assertEquals(APPLICATION_URI, injected.getURI(), "the producer's manager is the injected one");
      assertNotNull(injected.getCache("prices"));
      assertNull(Caching.getCachingProvider().getCacheManager().getCache("prices"),
          "nothing was cached in the provider's default manager");
    }
  }

  @ApplicationScoped
  static class ManagerProducer {
    @Produces
    @ApplicationScoped
    CacheManager cacheManager() {
      return Caching.getCachingProvider().getCacheManager(APPLICATION_URI, null);
    }

    void close(@Disposes CacheManager manager) {
      manager.close();
    }
  }

  @ApplicationScoped
  static class Prices {
    static final AtomicInteger calls = new AtomicInteger();

    @CacheResult(cacheName = "prices")
    public String price(String item) {
      calls.incrementAndGet();
      return "price of " + item;
    }
  }
}
