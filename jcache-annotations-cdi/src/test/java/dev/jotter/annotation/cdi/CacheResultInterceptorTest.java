package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CacheResult;
import javax.cache.configuration.CompleteConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CacheResultInterceptorTest {

  private static TestContainer container;
  private Books books;

  @BeforeAll
  static void start() {
    container = TestContainer.of(Books.class);
  }

  @AfterAll
  static void stop() {
    container.close();
  }

  @BeforeEach
  void freshCaches() {
    container.destroyCaches();
    books = container.bean(Books.class);
    Books.calls.set(0);
  }

  @Test
  void secondIdenticalCallIsServedFromTheCache() {
    assertEquals("title of 1", books.title("1"));
    assertEquals("title of 1", books.title("1"));
    assertEquals(1, Books.calls.get());
    assertEquals("title of 1",
        container.cacheManager().getCache("books").get(DefaultGeneratedCacheKey.of("1")));
  }

  @Test
  void differentArgumentsAreCachedUnderDifferentKeys() {
    books.title("1");
    books.title("2");
    books.title("1");
    assertEquals(2, Books.calls.get());
  }

  @Test
  void nullResultIsNotCached() {
    assertNull(books.nothing("1"));
    assertNull(books.nothing("1"));
    assertEquals(2, Books.calls.get());
  }

  @Test
  void skipGetAlwaysInvokesAndCachesTheNewResult() {
    books.title("1");
    assertEquals("fresh 1 #2", books.refreshTitle("1"));
    assertEquals("fresh 1 #3", books.refreshTitle("1"));
    assertEquals("fresh 1 #3", books.title("1"));
    assertEquals(3, Books.calls.get());
  }

  @Test
  void onlyCacheKeyParametersFormTheKey() {
    assertEquals("book 7 in en", books.describe(Locale.ENGLISH, "7"));
    assertEquals("book 7 in en", books.describe(Locale.FRENCH, "7"));
    assertEquals(1, Books.calls.get());
    assertNotNull(container.cacheManager().getCache("descriptions")
        .get(DefaultGeneratedCacheKey.of("7")));
  }

  @Test
  void unnamedCacheIsNamedAfterClassMethodAndParameterTypes() {
    books.unnamed("a", 1, new String[] {"x"});
    String expected = Books.class.getName() + ".unnamed(java.lang.String,int,[Ljava.lang.String;)";
    assertNotNull(container.cacheManager().getCache(expected), expected);
  }

  @Test
  void missingCacheIsCreatedWithAPlainMutableConfiguration() {
    books.title("1");
    Cache<Object, Object> cache = container.cacheManager().getCache("books");
    @SuppressWarnings("unchecked")
    CompleteConfiguration<Object, Object> configuration =
        cache.getConfiguration(CompleteConfiguration.class);
    assertEquals(Object.class, configuration.getKeyType());
    assertTrue(configuration.isStoreByValue());
  }

  @Test
  void cacheDestroyedBetweenCallsIsCreatedAgain() {
    books.title("1");
    container.cacheManager().destroyCache("books");
    books.title("1");
    books.title("1");
    assertEquals(2, Books.calls.get());
  }

  @Test
  void exceptionIsCachedAndRethrownWithoutInvokingAgain() {
    assertThrows(FileNotFoundException.class, () -> books.lookup("gone"));
    FileNotFoundException second =
        assertThrows(FileNotFoundException.class, () -> books.lookup("gone"));
    assertEquals("gone", second.getMessage());
    assertEquals(1, Books.calls.get());
    assertNotNull(container.cacheManager().getCache("lookup-failures")
        .get(DefaultGeneratedCacheKey.of("gone")));
  }

  @Test
  void exceptionsAreNotCachedWithoutExceptionCacheName() {
    assertThrows(IllegalStateException.class, () -> books.failing("1"));
    assertThrows(IllegalStateException.class, () -> books.failing("1"));
    assertEquals(2, Books.calls.get());
  }

  @Test
  void cachedExceptionsIncludeAndNonCachedExceptionsExclude() {
    // cachedExceptions = IOException, nonCachedExceptions = FileNotFoundException
    assertThrows(IOException.class, () -> books.selective("io", new IOException()));
    assertThrows(IOException.class, () -> books.selective("io", new IOException()));
    assertEquals(1, Books.calls.get(), "an IOException is cached");

    assertThrows(FileNotFoundException.class,
        () -> books.selective("fnf", new FileNotFoundException()));
    assertThrows(FileNotFoundException.class,
        () -> books.selective("fnf", new FileNotFoundException()));
    assertEquals(3, Books.calls.get(), "a FileNotFoundException is excluded");

    assertThrows(IllegalStateException.class,
        () -> books.selective("ise", new IllegalStateException()));
    assertThrows(IllegalStateException.class,
        () -> books.selective("ise", new IllegalStateException()));
    assertEquals(5, Books.calls.get(), "an IllegalStateException is not included");
  }

  @Test
  void skipGetAlsoSkipsTheCachedExceptionCheck() {
    assertThrows(FileNotFoundException.class, () -> books.lookup("gone"));
    assertThrows(FileNotFoundException.class, () -> books.lookupAlways("gone"));
    assertEquals(2, Books.calls.get());
  }

  @ApplicationScoped
  static class Books {
    static final AtomicInteger calls = new AtomicInteger();

    @CacheResult(cacheName = "books")
    public String title(String isbn) {
      calls.incrementAndGet();
      return "title of " + isbn;
    }

    @CacheResult(cacheName = "books", skipGet = true)
    public String refreshTitle(String isbn) {
      return "fresh " + isbn + " #" + calls.incrementAndGet();
    }

    @CacheResult(cacheName = "nothing")
    public String nothing(String isbn) {
      calls.incrementAndGet();
      return null;
    }

    @CacheResult(cacheName = "descriptions")
    public String describe(Locale locale, @CacheKey String isbn) {
      calls.incrementAndGet();
      return "book " + isbn + " in " + locale.getLanguage();
    }

    @CacheResult
    public String unnamed(String a, int b, String[] c) {
      return a + b + c.length;
    }

    @CacheResult(cacheName = "lookups", exceptionCacheName = "lookup-failures")
    public String lookup(String id) throws IOException {
      calls.incrementAndGet();
      throw new FileNotFoundException(id);
    }

    @CacheResult(cacheName = "lookups", exceptionCacheName = "lookup-failures", skipGet = true)
    public String lookupAlways(String id) throws IOException {
      calls.incrementAndGet();
      throw new FileNotFoundException(id);
    }

    @CacheResult(cacheName = "failing")
    public String failing(String id) {
      calls.incrementAndGet();
      throw new IllegalStateException(id);
    }

    @CacheResult(cacheName = "selective", exceptionCacheName = "selective-failures",
        cachedExceptions = IOException.class, nonCachedExceptions = FileNotFoundException.class)
    public String selective(@CacheKey String id, Exception toThrow) throws Exception {
      calls.incrementAndGet();
      throw toThrow;
    }
  }
}
