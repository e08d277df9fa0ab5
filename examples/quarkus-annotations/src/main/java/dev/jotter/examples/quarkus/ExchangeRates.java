package dev.jotter.examples.quarkus;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;

/**
 * A slow lookup cached with the plain JSR-107 annotation: on Quarkus this works because
 * jotter-jcache-annotations-cdi makes {@code @CacheResult} an interceptor binding.
 */
@ApplicationScoped
@CacheDefaults(cacheName = "rates")
public class ExchangeRates {

  private final AtomicInteger lookups = new AtomicInteger();

  /** Looks the rate up (here: computes it) once per currency pair; later calls hit the cache. */
  @CacheResult
  public BigDecimal rate(String from, String to) {
    lookups.incrementAndGet();
    return BigDecimal.valueOf(from.hashCode() % 100 + 100, 2)
        .divide(BigDecimal.valueOf(to.hashCode() % 100 + 100, 2), 6, java.math.RoundingMode.HALF_UP);
  }

  /** Forgets every cached rate. */
  @CacheRemoveAll
  public void refresh() {}

  /** How many times {@link #rate} really ran. */
  public int lookups() {
    return lookups.get();
  }
}
