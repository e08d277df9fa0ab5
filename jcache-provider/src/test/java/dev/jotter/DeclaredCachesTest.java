package dev.jotter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache manager whose URI points to a configuration file creates the declared caches, with the
 * loader that the file's {@code loader-factory} (a {@link Factory} class) creates. Regression: the
 * factory class was once instantiated as if it were the loader.
 */
class DeclaredCachesTest {

  static final AtomicInteger CREATED = new AtomicInteger();

  /** A plain factory, as the README and the parser's message ask for. */
  public static class ConstantLoaderFactory implements Factory<CacheLoader<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheLoader<String, String> create() {
      CREATED.incrementAndGet();
      return new CacheLoader<>() {
        @Override
        public String load(String key) {
          return "loaded:" + key;
        }

        @Override
        public Map<String, String> loadAll(Iterable<? extends String> keys) {
          throw new UnsupportedOperationException();
        }
      };
    }
  }

  @Test
  void aLoaderFactoryNamedInTheFileIsUsedAsAFactory(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jotter.properties");
    Files.writeString(file, "caches = c\n"
        + "cache.c.key-type = java.lang.String\n"
        + "cache.c.value-type = java.lang.String\n"
        + "cache.c.loader-factory = " + ConstantLoaderFactory.class.getName() + "\n");
    CachingProvider provider = Caching.getCachingProvider("dev.jotter.spi.JotterCachingProvider");
    URI uri = file.toUri();
    try (CacheManager manager = provider.getCacheManager(uri, getClass().getClassLoader())) {
      Cache<String, String> cache = manager.getCache("c", String.class, String.class);
      assertEquals("loaded:k", cache.get("k"));
      assertEquals(1, CREATED.get());
    }
  }
}
