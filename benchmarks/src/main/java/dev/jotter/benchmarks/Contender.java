package dev.jotter.benchmarks;

import java.util.Locale;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.ehcache.config.SizedResourcePool;

/**
 * The JCache providers under test, all on the same class path and each selected by its class name
 * with {@link Caching#getCachingProvider(String)}.
 *
 * <p>Every contender gets the same plain {@link MutableConfiguration}: no expiry (eternal), statistics
 * and management off, no listeners, and no size bound. What "no bound" means for each provider is
 * checked at run time by {@link #describeCapacity}, and written down in {@code docs/benchmarks.md}:
 * <ul>
 *   <li>Jotter: a plain {@code MutableConfiguration} is unbounded (no {@code maximumSize}).
 *   <li>Caffeine: {@code caffeine.jcache.default.policy.maximum.size = null} in its
 *       {@code reference.conf} (no {@code application.conf} is on the class path), so unbounded.
 *   <li>Ehcache 3: its JCache layer gives a plain {@code MutableConfiguration} an on-heap tier of
 *       {@code Long.MAX_VALUE} entries, so unbounded in effect.
 * </ul>
 */
public enum Contender {
  JOTTER("jotter", "dev.jotter.spi.JotterCachingProvider"),
  CAFFEINE("caffeine", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider"),
  EHCACHE("ehcache", "org.ehcache.jsr107.EhcacheCachingProvider");

  private final String id;
  private final String providerClass;

  Contender(String id, String providerClass) {
    this.id = id;
    this.providerClass = providerClass;
  }

  /** The name used in {@code @Param} values and reports. */
  public String id() {
    return id;
  }

  /** The {@code CachingProvider} class name. */
  public String providerClass() {
    return providerClass;
  }

  /** Returns the contender named {@code id} ("jotter", "caffeine", "ehcache"). */
  public static Contender of(String id) {
    for (Contender contender : values()) {
      if (contender.id.equals(id.toLowerCase(Locale.ROOT))) {
        return contender;
      }
    }
    throw new IllegalArgumentException("unknown contender " + id);
  }

  /** Returns this provider's default cache manager. */
  public CacheManager manager() {
    CachingProvider provider = Caching.getCachingProvider(providerClass);
    return provider.getCacheManager(provider.getDefaultURI(), Contender.class.getClassLoader());
  }

  /** Closes this provider and every cache manager it made. */
  public void closeProvider() {
    Caching.getCachingProvider(providerClass).close();
  }

  /** The configuration every contender gets in the JCache API workload. */
  public static <K, V> MutableConfiguration<K, V> plainConfiguration(Class<K> keyType,
      Class<V> valueType, boolean storeByValue) {
    return new MutableConfiguration<K, V>()
        .setTypes(keyType, valueType)
        .setStoreByValue(storeByValue)
        .setStatisticsEnabled(false)
        .setManagementEnabled(false);
  }

  /**
   * Says, from the provider's own runtime objects, how many entries the cache may hold, so that the
   * log of every run shows that all contenders are unbounded the same way.
   */
  public static String describeCapacity(Cache<?, ?> cache) {
    String provider = cache.getCacheManager().getCachingProvider().getClass().getName();
    try {
      if (provider.startsWith("dev.jotter")) {
        dev.jotter.JotterCache<?, ?> jotter = cache.unwrap(dev.jotter.JotterCache.class);
        dev.jotter.configuration.JotterConfiguration<?, ?> config =
            jotter.getConfiguration(dev.jotter.configuration.JotterConfiguration.class);
        return "jotter maximumSize=" + config.getMaximumSize() + " maximumWeight="
            + config.getMaximumWeight();
      }
      if (provider.startsWith("com.github.benmanes")) {
        com.github.benmanes.caffeine.jcache.configuration.CaffeineConfiguration<?, ?> config =
            cache.getConfiguration(
                com.github.benmanes.caffeine.jcache.configuration.CaffeineConfiguration.class);
        return "caffeine maximumSize=" + config.getMaximumSize() + " maximumWeight="
            + config.getMaximumWeight();
      }
      if (provider.startsWith("org.ehcache")) {
        var ehcache = cache.unwrap(org.ehcache.Cache.class);
        var pools = ehcache.getRuntimeConfiguration().getResourcePools();
        StringBuilder text = new StringBuilder("ehcache");
        for (var type : pools.getResourceTypeSet()) {
          var pool = pools.getPoolForResource(type);
          text.append(' ').append(type).append('=').append(pool instanceof SizedResourcePool
              ? ((SizedResourcePool) pool).getSize() + " " + ((SizedResourcePool) pool).getUnit()
              : String.valueOf(pool));
        }
        return text.toString();
      }
    } catch (RuntimeException e) {
      return provider + ": capacity not readable (" + e + ")";
    }
    return provider + ": unknown provider";
  }
}
