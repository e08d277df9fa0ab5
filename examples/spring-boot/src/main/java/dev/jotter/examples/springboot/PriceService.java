package dev.jotter.examples.springboot;

import java.util.concurrent.atomic.AtomicLong;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import org.springframework.stereotype.Service;

/**
 * The four JSR-107 annotations on an annotation-safe cache: {@code prices} has no writer and no
 * loader, so a {@code @CacheResult} miss (a put) and {@code @CacheRemoveAll} (a removeAll) touch only
 * the cache.
 */
@Service
public class PriceService {

  private final AtomicLong computations = new AtomicLong();

  /** Computes a price; cached, so it runs once per SKU until the entry is removed. */
  @CacheResult(cacheName = "prices")
  public Long price(String sku) {
    computations.incrementAndGet();
    long cents = 0;
    for (char c : sku.toCharArray()) {
      cents = cents * 31 + c;
    }
    return Math.floorMod(cents, 100_000L);
  }

  /** Sets a price in the cache. */
  @CachePut(cacheName = "prices")
  public void setPrice(@CacheKey String sku, @CacheValue Long cents) {
    // the annotation puts the value
  }

  /** Forgets one price. */
  @CacheRemove(cacheName = "prices")
  public void forget(String sku) {
    // the annotation removes the entry
  }

  /** Forgets every price. */
  @CacheRemoveAll(cacheName = "prices")
  public void forgetAll() {
    // the annotation removes every entry
  }

  /** How often {@link #price} actually ran. */
  public long computations() {
    return computations.get();
  }
}
