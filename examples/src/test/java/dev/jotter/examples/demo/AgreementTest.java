package dev.jotter.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.examples.jdbc.Order;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checker must catch a disagreement, or the demo's "OK" would mean nothing. */
class AgreementTest {

  private static final String CACHE = "agreement-test";

  private CacheManager manager;
  private Cache<Long, Order> cache;
  private final Map<Long, Order> table = new HashMap<>();

  @BeforeEach
  void createCache() {
    manager = Caching.getCachingProvider().getCacheManager();
    cache = manager.createCache(CACHE,
        new MutableConfiguration<Long, Order>().setTypes(Long.class, Order.class));
  }

  @AfterEach
  void destroyCache() {
    manager.destroyCache(CACHE);
  }

  @Test
  void agreesWhenEveryKeyMatchesIncludingAbsentOnes() {
    cache.put(1L, new Order("ada", 100, 1));
    table.put(1L, new Order("ada", 100, 1));

    Agreement agreement = Agreement.check(cache, Set.of(1L, 2L), this::readTable);

    assertTrue(agreement.agrees());
    assertEquals(2, agreement.keysChecked());
    assertEquals("OK: cache and table agree on 2 keys", agreement.describe());
  }

  @Test
  void reportsTheLowestKeyWhoseValuesDiffer() {
    cache.put(1L, new Order("ada", 100, 1));
    cache.put(2L, new Order("bob", 200, 2));
    cache.put(3L, new Order("cy", 300, 1));
    table.put(1L, new Order("ada", 100, 1));
    table.put(2L, new Order("bob", 200, 1));
    table.put(3L, new Order("cy", 999, 1));

    Agreement agreement = Agreement.check(cache, Set.of(1L, 2L, 3L), this::readTable);

    assertFalse(agreement.agrees());
    assertEquals(2L, agreement.firstMismatch().orElseThrow().key());
    assertTrue(agreement.describe().startsWith("MISMATCH: key 2:"), agreement.describe());
  }

  @Test
  void aRowMissingFromTheCacheIsAMismatch() {
    table.put(5L, new Order("ed", 500, 1));

    Agreement agreement = Agreement.check(cache, Set.of(5L), this::readTable);

    assertEquals(new Agreement.Mismatch(5L, null, new Order("ed", 500, 1)),
        agreement.firstMismatch().orElseThrow());
  }

  @Test
  void anEntryTheWorkloadDidNotTouchIsStillCompared() {
    cache.put(8L, new Order("hal", 800, 1));

    Agreement agreement = Agreement.check(cache, Set.of(), this::readTable);

    assertEquals(8L, agreement.firstMismatch().orElseThrow().key());
  }

  private Map<Long, Order> readTable(Set<Long> keys) {
    Map<Long, Order> rows = new HashMap<>(table);
    rows.keySet().retainAll(keys);
    return rows;
  }
}
