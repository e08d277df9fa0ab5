package dev.jotter.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.JotterConfiguration;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JotterCachingProviderTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final ClassLoader loader = getClass().getClassLoader();

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  @Test
  void isFoundThroughServiceLoader() {
    CachingProvider found = Caching.getCachingProvider(JotterCachingProvider.class.getName());
    assertTrue(found instanceof JotterCachingProvider);
  }

  @Test
  void nullUriMeansTheDefaultUri() {
    CacheManager byNull = provider.getCacheManager(null, loader);
    assertEquals(JotterCachingProvider.DEFAULT_URI, byNull.getURI());
    assertSame(byNull, provider.getCacheManager(provider.getDefaultURI(), loader));
  }

  @Test
  void nullClassLoaderMeansTheDefaultClassLoader() {
    CacheManager byNull = provider.getCacheManager(URI.create("test:loader"), null);
    assertSame(provider.getDefaultClassLoader(), byNull.getClassLoader());
    assertSame(byNull,
        provider.getCacheManager(URI.create("test:loader"), provider.getDefaultClassLoader()));
  }

  @Test
  void sameUriAndLoaderReturnTheSameManager() {
    URI uri = URI.create("test:same");
    assertSame(provider.getCacheManager(uri, loader), provider.getCacheManager(uri, loader));
  }

  @Test
  void differentUrisReturnDifferentManagers() {
    assertNotSame(provider.getCacheManager(URI.create("test:a"), loader),
        provider.getCacheManager(URI.create("test:b"), loader));
  }

  @Test
  void differentLoadersReturnDifferentManagers() throws Exception {
    URI uri = URI.create("test:loaders");
    try (URLClassLoader other = new URLClassLoader(new URL[0], loader)) {
      CacheManager first = provider.getCacheManager(uri, loader);
      CacheManager second = provider.getCacheManager(uri, other);
      assertNotSame(first, second);
      assertSame(loader, first.getClassLoader());
      assertSame(other, second.getClassLoader());
      assertSame(second, provider.getCacheManager(uri, other));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "jar:file:/x.jar!/jotter.conf",
      "classpath:jotter.conf",
      "jar:nested:/app.jar/!BOOT-INF/classes/!/jotter.conf",
      "file:/etc/jotter/jotter.conf",
      "file:///C:/Program%20Files/jotter.conf"})
  void anyUriSchemeOpensAManagerWithWorkingCaches(String text) {
    URI uri = URI.create(text);
    CacheManager manager = provider.getCacheManager(uri, loader);
    assertEquals(uri, manager.getURI());
    var config = new JotterConfiguration<String, String>();
    config.setStatisticsEnabled(true).setManagementEnabled(true);
    Cache<String, String> cache = manager.createCache("c", config);
    cache.put("k", "v");
    assertEquals("v", cache.get("k"));
    assertSame(manager, provider.getCacheManager(uri, loader));
  }

  @Test
  void fileUriOfARealPathOpens(@TempDir Path dir) {
    URI uri = dir.resolve("jotter.conf").toUri();
    CacheManager manager = provider.getCacheManager(uri, loader);
    assertEquals(uri, manager.getURI());
    assertFalse(manager.isClosed());
  }

  @Test
  void closeOfUriAndLoaderClosesOnlyThatManager() throws Exception {
    URI uri = URI.create("test:one");
    try (URLClassLoader otherLoader = new URLClassLoader(new URL[0], loader)) {
      CacheManager target = provider.getCacheManager(uri, loader);
      CacheManager otherUri = provider.getCacheManager(URI.create("test:two"), loader);
      CacheManager sameUriOtherLoader = provider.getCacheManager(uri, otherLoader);

      provider.close(uri, loader);

      assertTrue(target.isClosed());
      assertFalse(otherUri.isClosed());
      assertFalse(sameUriOtherLoader.isClosed());
    }
  }

  @Test
  void closeOfLoaderClosesOnlyThatLoadersManagers() throws Exception {
    try (URLClassLoader otherLoader = new URLClassLoader(new URL[0], loader)) {
      CacheManager a = provider.getCacheManager(URI.create("test:a"), loader);
      CacheManager b = provider.getCacheManager(URI.create("test:b"), loader);
      CacheManager other = provider.getCacheManager(URI.create("test:a"), otherLoader);

      provider.close(loader);

      assertTrue(a.isClosed());
      assertTrue(b.isClosed());
      assertFalse(other.isClosed());
    }
  }

  @Test
  void closedManagerIsReplacedByAFreshOneOnNextGet() {
    URI uri = URI.create("test:reopen");
    CacheManager first = provider.getCacheManager(uri, loader);
    first.createCache("c", new JotterConfiguration<String, String>());
    first.close();

    CacheManager second = provider.getCacheManager(uri, loader);

    assertNotSame(first, second);
    assertFalse(second.isClosed());
    assertFalse(second.getCacheNames().iterator().hasNext(), "a fresh manager has no caches");
    second.createCache("c", new JotterConfiguration<String, String>());
  }

  @Test
  void managerClosedThroughProviderIsReplacedToo() {
    URI uri = URI.create("test:reopen-via-provider");
    CacheManager first = provider.getCacheManager(uri, loader);
    provider.close(uri, loader);
    CacheManager second = provider.getCacheManager(uri, loader);
    assertNotSame(first, second);
    assertFalse(second.isClosed());
  }

  @Test
  void providerCloseClosesEveryManager() throws Exception {
    try (URLClassLoader otherLoader = new URLClassLoader(new URL[0], loader)) {
      CacheManager a = provider.getCacheManager(URI.create("test:a"), loader);
      CacheManager b = provider.getCacheManager(URI.create("test:b"), otherLoader);
      Cache<String, String> cache = a.createCache("c", new JotterConfiguration<String, String>());

      provider.close();

      assertTrue(a.isClosed());
      assertTrue(b.isClosed());
      assertTrue(cache.isClosed());
    }
  }

  @Test
  void closeOfUnknownUriIsANoOp() {
    CacheManager open = provider.getCacheManager(URI.create("test:open"), loader);
    provider.close(URI.create("test:never-opened"), loader);
    assertFalse(open.isClosed());
  }

  @Test
  void closedManagerRefusesOperations() {
    CacheManager manager = provider.getCacheManager(URI.create("test:closed"), loader);
    manager.close();
    assertThrows(IllegalStateException.class, () -> manager.getCache("c"));
    assertThrows(IllegalStateException.class, manager::getCacheNames);
    assertThrows(IllegalStateException.class,
        () -> manager.createCache("c", new JotterConfiguration<String, String>()));
    assertThrows(IllegalStateException.class, () -> manager.destroyCache("c"));
  }

  @Test
  void supportsStoreByReferenceOnly() {
    assertTrue(provider.isSupported(OptionalFeature.STORE_BY_REFERENCE));
  }
}
