package dev.jotter.examples.springboot;

import dev.jotter.examples.springboot.store.OrderRows;
import dev.jotter.examples.springboot.store.OrderWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The HTTP face of the example (the integration tests drive it). */
@RestController
public class ExampleController {

  private final PriceService prices;
  private final OrderService orders;
  private final CacheManager cacheManager;
  private final OrderRows rows;
  private final OrderWriter writer;

  public ExampleController(PriceService prices, OrderService orders, CacheManager cacheManager,
      OrderRows rows, OrderWriter writer) {
    this.prices = prices;
    this.orders = orders;
    this.cacheManager = cacheManager;
    this.rows = rows;
    this.writer = writer;
  }

  @GetMapping("/prices/{sku}")
  public Long price(@PathVariable String sku) {
    return prices.price(sku);
  }

  @PutMapping("/prices/{sku}")
  public void setPrice(@PathVariable String sku, @RequestBody Long cents) {
    prices.setPrice(sku, cents);
  }

  @DeleteMapping("/prices/{sku}")
  public void forget(@PathVariable String sku) {
    prices.forget(sku);
  }

  @DeleteMapping("/prices")
  public void forgetAll() {
    prices.forgetAll();
  }

  @GetMapping("/prices-computed")
  public long computations() {
    return prices.computations();
  }

  @PutMapping("/orders/{id}")
  public void save(@PathVariable long id, @RequestBody OrderRequest order) {
    orders.save(id, new Order(id, order.customer(), order.amountCents()));
  }

  @GetMapping("/orders/{id}")
  public Order find(@PathVariable long id) {
    return orders.find(id);
  }

  @DeleteMapping("/orders/{id}")
  public void delete(@PathVariable long id) {
    orders.delete(id);
  }

  /** The database row, bypassing the cache. */
  @GetMapping("/orders/{id}/row")
  public ResponseEntity<Order> row(@PathVariable long id) {
    Order order = orders.row(id);
    return order == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(order);
  }

  /** Inserts a row behind the cache's back (to show read-through). */
  @PostMapping("/orders/{id}/row")
  public void insertRow(@PathVariable long id, @RequestBody OrderRequest order) {
    rows.upsert(List.of(new Order(id, order.customer(), order.amountCents())));
  }

  /** What the write-behind writer has done so far. */
  @GetMapping("/orders-store")
  public Map<String, Long> store() {
    return Map.of("rowsWritten", writer.rowsWritten(), "rowsDeleted", writer.rowsDeleted());
  }

  /** Which JCache manager Spring opened, from which configuration, with which caches. */
  @GetMapping("/jcache")
  public Map<String, Object> jcache() {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("provider", cacheManager.getCachingProvider().getClass().getName());
    info.put("uri", cacheManager.getURI().toString());
    info.put("caches", StreamSupport.stream(cacheManager.getCacheNames().spliterator(), false)
        .sorted().toList());
    Cache<?, ?> ordersCache = cacheManager.getCache("orders");
    info.put("ordersCacheClass", ordersCache.getClass().getName());
    return info;
  }
}
