package dev.jotter.examples.quarkus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ExchangeRatesTest {

  @Inject
  ExchangeRates rates;

  @Inject
  CacheManager cacheManager;

  @Test
  void twoIdenticalCallsRunTheMethodOnceAndJotterHoldsTheResult() {
    int before = rates.lookups();
    BigDecimal first = rates.rate("EUR", "USD");
    BigDecimal second = rates.rate("EUR", "USD");
    assertEquals(first, second);
    assertEquals(before + 1, rates.lookups(), "the second call was served from the cache");

    assertEquals("dev.jotter.spi.JotterCachingProvider",
        cacheManager.getCachingProvider().getClass().getName());
    assertNotNull(cacheManager.getCache("rates"), "Jotter holds the 'rates' cache");
  }

  @Test
  void cacheRemoveAllMakesTheNextCallRunAgain() {
    rates.rate("GBP", "JPY");
    int before = rates.lookups();
    rates.refresh();
    rates.rate("GBP", "JPY");
    assertEquals(before + 1, rates.lookups());
  }
}
