package dev.jotter.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MBeanRegistrationTest {

  private static final URI URI_WITH_COLONS = URI.create("jar:file:/x.jar!/mbean-test.conf");

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI_WITH_COLONS, getClass().getClassLoader());

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private static ObjectName statisticsName(String sanitizedCacheName) throws Exception {
    return new ObjectName("javax.cache:type=CacheStatistics,CacheManager=jar.file./x.jar!/mbean-test.conf,Cache="
        + sanitizedCacheName);
  }

  private static ObjectName configurationName(String sanitizedCacheName) throws Exception {
    return new ObjectName("javax.cache:type=CacheConfiguration,CacheManager=jar.file./x.jar!/mbean-test.conf,Cache="
        + sanitizedCacheName);
  }

  private Cache<String, String> cache(String name, boolean statistics, boolean management) {
    var config = new JotterConfiguration<String, String>();
    config.setTypes(String.class, String.class);
    config.setStatisticsEnabled(statistics).setManagementEnabled(management);
    return manager.createCache(name, config);
  }

  @Test
  void nameFollowsTheJCacheConventionWithSpecialCharactersReplaced() throws Exception {
    ObjectName name = MBeans.name(MBeans.STATISTICS, URI_WITH_COLONS, "a,b:c=d\ne\rf");
    assertEquals(statisticsName("a.b.c.d.e.f"), name);
    assertEquals("CacheStatistics", name.getKeyProperty("type"));
    assertEquals("jar.file./x.jar!/mbean-test.conf", name.getKeyProperty("CacheManager"));
    assertEquals("a.b.c.d.e.f", name.getKeyProperty("Cache"));
  }

  @Test
  void statisticsBeanIsRegisteredOnlyWhenStatisticsAreEnabled() throws Exception {
    cache("stats", true, false);
    cache("plain", false, false);
    assertTrue(server.isRegistered(statisticsName("stats")));
    assertFalse(server.isRegistered(configurationName("stats")));
    assertFalse(server.isRegistered(statisticsName("plain")));
    assertFalse(server.isRegistered(configurationName("plain")));
  }

  @Test
  void configurationBeanIsRegisteredWhenManagementIsEnabled() throws Exception {
    cache("managed", false, true);
    assertTrue(server.isRegistered(configurationName("managed")));
    assertFalse(server.isRegistered(statisticsName("managed")));
    assertEquals(String.class.getName(), server.getAttribute(configurationName("managed"), "KeyType"));
    assertEquals(true, server.getAttribute(configurationName("managed"), "ManagementEnabled"));
  }

  @Test
  void enableStatisticsTogglesRegistration() throws Exception {
    cache("toggled", false, false);
    manager.enableStatistics("toggled", true);
    assertTrue(server.isRegistered(statisticsName("toggled")));
    manager.enableStatistics("toggled", false);
    assertFalse(server.isRegistered(statisticsName("toggled")));
  }

  @Test
  void enableManagementTogglesRegistration() throws Exception {
    cache("toggled", false, false);
    manager.enableManagement("toggled", true);
    assertTrue(server.isRegistered(configurationName("toggled")));
    manager.enableManagement("toggled", false);
    assertFalse(server.isRegistered(configurationName("toggled")));
  }

  @Test
  void cacheCloseUnregistersBothBeans() throws Exception {
    cache("closing", true, true).close();
    assertFalse(server.isRegistered(statisticsName("closing")));
    assertFalse(server.isRegistered(configurationName("closing")));
  }

  @Test
  void destroyCacheUnregistersBothBeans() throws Exception {
    cache("destroyed", true, true);
    manager.destroyCache("destroyed");
    assertFalse(server.isRegistered(statisticsName("destroyed")));
    assertFalse(server.isRegistered(configurationName("destroyed")));
  }

  @Test
  void managerCloseUnregistersTheBeansOfEveryCache() throws Exception {
    cache("first", true, true);
    cache("second", true, false);
    manager.close();
    assertFalse(server.isRegistered(statisticsName("first")));
    assertFalse(server.isRegistered(configurationName("first")));
    assertFalse(server.isRegistered(statisticsName("second")));
  }

  @Test
  void recreatedCacheRegistersAgain() throws Exception {
    cache("again", true, false).close();
    cache("again", true, false);
    assertTrue(server.isRegistered(statisticsName("again")));
  }

  @Test
  void cacheNameWithObjectNameSeparatorsRegistersFine() throws Exception {
    Cache<String, String> odd = cache("region=eu,shard:1", true, true);
    odd.put("k", "v");
    assertTrue(server.isRegistered(statisticsName("region.eu.shard.1")));
    assertTrue(server.isRegistered(configurationName("region.eu.shard.1")));
    assertEquals(1L, server.getAttribute(statisticsName("region.eu.shard.1"), "CachePuts"));
    odd.close();
    assertFalse(server.isRegistered(statisticsName("region.eu.shard.1")));
  }

  @Test
  void statisticsAreReadableThroughTheMBeanServer() throws Exception {
    Cache<String, String> cache = cache("counted", true, false);
    cache.put("a", "1");
    cache.put("b", "2");
    cache.put("a", "3");
    cache.get("a");
    cache.get("b");
    cache.get("missing");
    cache.remove("b");

    ObjectName name = statisticsName("counted");
    assertEquals(3L, server.getAttribute(name, "CachePuts"));
    assertEquals(2L, server.getAttribute(name, "CacheHits"));
    assertEquals(1L, server.getAttribute(name, "CacheMisses"));
    assertEquals(3L, server.getAttribute(name, "CacheGets"));
    assertEquals(1L, server.getAttribute(name, "CacheRemovals"));

    server.invoke(name, "clear", new Object[0], new String[0]);
    assertEquals(0L, server.getAttribute(name, "CachePuts"));
  }

  @Test
  void nothingIsCountedWhileStatisticsAreDisabled() throws Exception {
    Cache<String, String> cache = cache("quiet", false, false);
    cache.put("a", "1");
    cache.get("a");
    manager.enableStatistics("quiet", true);
    cache.get("a");
    assertEquals(0L, server.getAttribute(statisticsName("quiet"), "CachePuts"));
    assertEquals(1L, server.getAttribute(statisticsName("quiet"), "CacheHits"));
  }

  @Test
  void cacheNameWithObjectNameWildcardsRegistersFine() throws Exception {
    cache("what?*", true, false);
    assertTrue(server.isRegistered(statisticsName("what..")));
  }

  @Test
  void closingACacheLeavesTheBeanOfASameNamedCacheOfAnotherLoader() throws Exception {
    try (URLClassLoader otherLoader = new URLClassLoader(new URL[0], getClass().getClassLoader())) {
      CacheManager other = provider.getCacheManager(URI_WITH_COLONS, otherLoader);
      var config = new JotterConfiguration<String, String>();
      config.setStatisticsEnabled(true);
      Cache<String, String> first = manager.createCache("shared", config);
      Cache<String, String> second = other.createCache("shared", config);
      second.close();
      first.put("k", "v");
      assertTrue(server.isRegistered(statisticsName("shared")),
          "the first cache is open, its statistics bean must stay");
      assertEquals(1L, server.getAttribute(statisticsName("shared"), "CachePuts"));
    }
  }
}
