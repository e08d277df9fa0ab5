package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.annotation.CacheInvocationContext;
import javax.cache.annotation.CacheInvocationParameter;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CacheKeyInvocationContext;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import javax.cache.annotation.GeneratedCacheKey;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CacheResolutionTest {

  private static TestContainer container;

  @BeforeAll
  static void start() {
    container = TestContainer.of(Accounts.class, PrefixingResolverFactory.class);
  }

  @AfterAll
  static void stop() {
    container.close();
  }

  @BeforeEach
  void freshCaches() {
    container.destroyCaches();
    RecordingKeyGenerator.last.set(null);
  }

  @Test
  void cacheResolverFactoryIsAskedOncePerMethod() {
    Accounts accounts = container.bean(Accounts.class);
    int before = CountingResolverFactory.resolvers.get();
    accounts.balance("1");
    accounts.balance("2");
    accounts.balance("1");
    int asked = CountingResolverFactory.resolvers.get() - before;
    assertEquals(1, asked, "asked once for the method, not per call");
    assertNotNull(container.cacheManager().getCache("counted-balances"));
  }

  @Test
  void cacheResolverFactoryBeanIsTheContainersWithItsInjections() {
    container.bean(Accounts.class).owner("1");
    assertNotNull(container.cacheManager().getCache("bean-owners"),
        "the factory bean used its injected CacheManager and its prefix");
  }

  @Test
  void exceptionCacheResolverComesFromTheSameFactory() {
    Accounts accounts = container.bean(Accounts.class);
    assertThrows(IllegalArgumentException.class, () -> accounts.closed("9"));
    assertThrows(IllegalArgumentException.class, () -> accounts.closed("9"));
    assertEquals(1, Accounts.closedCalls.get());
    assertNotNull(container.cacheManager().getCache("bean-closed-failures"));
  }

  @Test
  void keyGeneratorSeesTheInvocationAsTheSpecDescribesIt() {
    Accounts accounts = container.bean(Accounts.class);
    accounts.rename("acc-1", 7, "new name");
    CacheKeyInvocationContext<? extends Annotation> context = RecordingKeyGenerator.last.get();
    assertNotNull(context);
    assertTrue(context.getCacheAnnotation() instanceof CachePut);
    assertEquals("renames", context.getCacheName());
    assertEquals("rename", context.getMethod().getName());
    assertTrue(context.getAnnotations().contains(context.getCacheAnnotation()));
    assertTrue(context.getTarget() instanceof Accounts);

    CacheInvocationParameter[] all = context.getAllParameters();
    assertArrayEquals(new Object[] {"acc-1", 7, "new name"},
        Arrays.stream(all).map(CacheInvocationParameter::getValue).toArray());
    assertEquals(int.class, all[1].getRawType());
    assertEquals(2, all[2].getParameterPosition());
    assertTrue(all[0].getAnnotations().isEmpty());
    assertTrue(all[2].getAnnotations().stream().anyMatch(a -> a instanceof CacheValue));

    CacheInvocationParameter[] keys = context.getKeyParameters();
    assertEquals(2, keys.length, "all but the @CacheValue parameter");
    assertEquals(0, keys[0].getParameterPosition());
    assertEquals(1, keys[1].getParameterPosition());
    assertEquals("new name", context.getValueParameter().getValue());

    all[0] = null;
    assertNotNull(context.getAllParameters()[0], "getAllParameters returns a copy");
    assertSame(context, context.unwrap(CacheKeyInvocationContext.class));
    assertNotNull(context.unwrap(InvocationContext.class));
    assertThrows(IllegalArgumentException.class, () -> context.unwrap(String.class));
  }

  @Test
  void valueParameterIsNullOutsideCachePut() {
    container.bean(Accounts.class).history("acc-1", 3);
    CacheKeyInvocationContext<? extends Annotation> context = RecordingKeyGenerator.last.get();
    assertNull(context.getValueParameter());
    assertEquals(1, context.getKeyParameters().length, "only the @CacheKey parameter");
    assertEquals(1, context.getKeyParameters()[0].getParameterPosition());
  }

  @Test
  void theInjectedCacheManagerIsTheDefaultProvidersDefaultManager() {
    CacheManager manager = container.cacheManager();
    assertEquals(javax.cache.Caching.getCachingProvider().getDefaultURI(), manager.getURI());
  }

  /** Counts the resolvers it hands out; made with its no-argument constructor (not a bean). */
  public static class CountingResolverFactory implements CacheResolverFactory {
    static final AtomicInteger resolvers = new AtomicInteger();

    @Override
    public CacheResolver getCacheResolver(CacheMethodDetails<? extends Annotation> details) {
      resolvers.incrementAndGet();
      return new NamedResolver("counted-" + details.getCacheName());
    }

    @Override
    public CacheResolver getExceptionCacheResolver(CacheMethodDetails<CacheResult> details) {
      throw new UnsupportedOperationException();
    }
  }

  /** A CDI bean: resolves caches in its injected manager under a prefix. */
  @ApplicationScoped
  public static class PrefixingResolverFactory implements CacheResolverFactory {
    @Inject
    CacheManager cacheManager;

    @Override
    public CacheResolver getCacheResolver(CacheMethodDetails<? extends Annotation> details) {
      return new NamedResolver(cacheManager, "bean-" + details.getCacheName());
    }

    @Override
    public CacheResolver getExceptionCacheResolver(CacheMethodDetails<CacheResult> details) {
      return new NamedResolver(cacheManager,
          "bean-" + details.getCacheAnnotation().exceptionCacheName());
    }
  }

  static final class NamedResolver implements CacheResolver {
    private final CacheManager cacheManager;
    private final String name;

    NamedResolver(String name) {
      this(javax.cache.Caching.getCachingProvider().getCacheManager(), name);
    }

    NamedResolver(CacheManager cacheManager, String name) {
      this.cacheManager = cacheManager;
      this.name = name;
    }

    @Override
    public <K, V> Cache<K, V> resolveCache(CacheInvocationContext<? extends Annotation> context) {
      Cache<K, V> cache = cacheManager.getCache(name);
      return cache != null ? cache : cacheManager.createCache(name, new MutableConfiguration<>());
    }
  }

  /** Records the context it was given; keys like the default generator. */
  public static class RecordingKeyGenerator implements CacheKeyGenerator {
    static final AtomicReference<CacheKeyInvocationContext<? extends Annotation>> last =
        new AtomicReference<>();

    @Override
    public GeneratedCacheKey generateCacheKey(
        CacheKeyInvocationContext<? extends Annotation> context) {
      last.set(context);
      return DefaultGeneratedCacheKey.of(
          Arrays.stream(context.getKeyParameters()).map(CacheInvocationParameter::getValue).toArray());
    }
  }

  @ApplicationScoped
  static class Accounts {
    static final AtomicInteger closedCalls = new AtomicInteger();

    @CacheResult(cacheName = "balances", cacheResolverFactory = CountingResolverFactory.class)
    public String balance(String id) {
      return "balance of " + id;
    }

    @CacheResult(cacheName = "owners", cacheResolverFactory = PrefixingResolverFactory.class)
    public String owner(String id) {
      return "owner of " + id;
    }

    @CacheResult(cacheName = "closed", exceptionCacheName = "closed-failures",
        cacheResolverFactory = PrefixingResolverFactory.class)
    public String closed(String id) {
      closedCalls.incrementAndGet();
      throw new IllegalArgumentException(id);
    }

    @CachePut(cacheName = "renames", cacheKeyGenerator = RecordingKeyGenerator.class)
    public void rename(String id, int version, @CacheValue String name) {}

    @CacheResult(cacheName = "history", cacheKeyGenerator = RecordingKeyGenerator.class)
    public String history(String unused, @CacheKey int depth) {
      return "history " + depth;
    }
  }
}
