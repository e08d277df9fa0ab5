package dev.jotter.examples.readme;

import dev.jotter.JotterCache;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;

/** The README's example: a write-behind cache in front of a database (here, a map). */
public final class GettingStarted {

  public static void main(String[] args) {
    JotterConfiguration<Long, String> config = new JotterConfiguration<Long, String>()
        .setTypes(Long.class, String.class)
        .setReadThrough(true).setCacheLoaderFactory(FactoryBuilder.factoryOf(Database.class))
        .setWriteThrough(true).setCacheWriterFactory(FactoryBuilder.factoryOf(Database.class))
        .setMaximumSize(100_000)                             // bounded: Caffeine evicts
        .setWriteBehind(WriteBehindConfiguration.builder()   // the writer is called later, in batches
            .batchSize(200)
            .maxWriteDelay(Duration.ofMillis(50))
            .build());
    try (CacheManager manager = Caching.getCachingProvider().getCacheManager()) {
      Cache<Long, String> orders = manager.createCache("orders", config);
      orders.put(42L, "ada: 12.50");              // returns at once; the database write follows
      System.out.println(orders.get(42L));        // never older than the last put, even if evicted
      orders.unwrap(JotterCache.class).flush();   // waits until everything put so far is written
      System.out.println(Database.ROWS);          // {42=ada: 12.50}
    }                                             // closing drains what is still pending
  }

  /** The loader and the writer; write-behind calls writeAll and deleteAll with batches. */
  public static final class Database implements CacheLoader<Long, String>, CacheWriter<Long, String> {
    static final Map<Long, String> ROWS = new ConcurrentHashMap<>();

    @Override
    public String load(Long key) {
      return ROWS.get(key);
    }

    @Override
    public Map<Long, String> loadAll(Iterable<? extends Long> keys) {
      Map<Long, String> found = new HashMap<>();
      keys.forEach(key -> found.computeIfAbsent(key, ROWS::get));
      return found;
    }

    @Override
    public void write(Cache.Entry<? extends Long, ? extends String> entry) {
      ROWS.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Long, ? extends String>> entries) {
      entries.forEach(this::write);
      entries.clear();   // what a writer leaves in the collection failed, and is retried
    }

    @Override
    public void delete(Object key) {
      ROWS.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(this::delete);
      keys.clear();
    }
  }
}
