package dev.jotter.spi;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A program whose database is down: three puts into a write-behind cache without a journal, and
 * {@code main} returns without closing anything. Only the provider's shutdown hook can tell.
 */
public final class LosingMain {
  private LosingMain() {}

  /** The database that is down. */
  public static final class DownWriter implements CacheWriter<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      throw new CacheWriterException("connection refused");
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      throw new CacheWriterException("connection refused");
    }

    @Override
    public void delete(Object key) {
      throw new CacheWriterException("connection refused");
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      throw new CacheWriterException("connection refused");
    }
  }

  public static void main(String[] args) {
    CacheManager manager = Caching.getCachingProvider()
        .getCacheManager(URI.create("jotter:losing"), LosingMain.class.getClassLoader());
    JotterConfiguration<String, String> config = new JotterConfiguration<String, String>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .drainTimeout(Duration.ofMillis(Long.parseLong(args[0])))
            .maxAttempts(1_000_000).maxRetryTime(Duration.ofDays(1))
            .build());
    config.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(DownWriter.class));
    Cache<String, String> cache = manager.createCache("orders", config);
    for (int i = 0; i < 3; i++) {
      cache.put("k" + i, "secret-" + i);
    }
    System.out.println("PUT 3");
  }
}
