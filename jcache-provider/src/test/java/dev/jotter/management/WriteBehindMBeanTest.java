package dev.jotter.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.FakeTicker;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.metrics.TableWriter;
import dev.jotter.spi.JotterCachingProvider;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write-behind MBean, driven through the platform MBeanServer as an operator's tool does. */
class WriteBehindMBeanTest {

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("test:wb-mbean"), getClass().getClassLoader());
  private final FakeTicker ticker = new FakeTicker();

  @BeforeEach
  void resetWriter() {
    TableWriter.reset();
  }

  @AfterEach
  void close() {
    provider.close();
  }

  private static ObjectName name(String cache) throws Exception {
    return new ObjectName("javax.cache:type=CacheWriteBehind,CacheManager=test.wb-mbean,Cache="
        + cache);
  }

  private Object attribute(String cache, String attribute) throws Exception {
    return server.getAttribute(name(cache), attribute);
  }

  private Object flush(String cache) throws Exception {
    return server.invoke(name(cache), "flush", new Object[] {10_000L},
        new String[] {long.class.getName()});
  }

  private Cache<String, String> cache(String name) {
    return manager.createCache(name, TableWriter.writeBehind(ticker, TableWriter.onFlushOnly()));
  }

  @Test
  void attributesShowTheBufferAndFlushWritesItThrough() throws Exception {
    Cache<String, String> cache = cache("orders");
    assertEquals(name("orders"), MBeans.name(MBeans.WRITE_BEHIND, URI.create("test:wb-mbean"),
        "orders"));
    cache.put("a", "1");
    cache.put("a", "2");
    cache.put("b", "1");
    ticker.advance(Duration.ofMillis(1_500));
    assertEquals(2L, attribute("orders", "PendingOperations"));
    assertEquals(1.5, (double) attribute("orders", "OldestPendingAgeSeconds"), 1e-9);
    assertEquals(1L, attribute("orders", "Coalesced"));
    assertEquals("BLOCK", attribute("orders", "OverflowPolicy"));
    assertEquals(false, attribute("orders", "Journaled"));

    assertEquals(true, server.invoke(name("orders"), "flush", null, null));
    assertEquals(0L, attribute("orders", "PendingOperations"));
    assertEquals(0.0, attribute("orders", "OldestPendingAgeSeconds"));
    assertEquals(2L, attribute("orders", "Written"));
    assertEquals(1L, attribute("orders", "WriterCalls"));
    assertEquals(2.0, attribute("orders", "AverageBatchSize"));
    assertEquals("2", TableWriter.TABLE.get("a"));
  }

  @Test
  void deadLettersAreCountedAndResubmittedThroughJmx() throws Exception {
    cache("letters").put("a", "1");
    TableWriter.FAIL_NEXT.set(1);
    assertEquals(true, flush("letters")); // one attempt: given up
    assertEquals(1L, attribute("letters", "Failed"));
    assertEquals(1L, attribute("letters", "DeadLettered"));
    assertEquals(1, attribute("letters", "DeadLetters"));
    assertFalse(TableWriter.TABLE.containsKey("a"));
    ticker.advance(Duration.ofMinutes(1)); // past the flusher's pause after the failed call

    assertEquals(1, server.invoke(name("letters"), "resubmitDeadLetters", null, null));
    assertEquals(true, flush("letters"));
    assertEquals(0, attribute("letters", "DeadLetters"));
    assertEquals(1L, attribute("letters", "Written"));
    assertEquals("1", TableWriter.TABLE.get("a"));
  }

  @Test
  void deadLettersAreListedResubmittedAndDiscardedByKeyThroughJmx() throws Exception {
    Cache<String, String> cache = cache("listed");
    cache.put("a", "secret-a");
    cache.put("b", "secret-b");
    cache.put("c", "secret-c");
    TableWriter.FAIL_NEXT.set(Integer.MAX_VALUE); // the database is down: one attempt each
    flush("listed");
    TableWriter.FAIL_NEXT.set(0);
    assertEquals(3, attribute("listed", "DeadLetters"));
    assertEquals(10_000, attribute("listed", "DeadLetterCapacity"));

    CompositeData[] page = (CompositeData[]) server.invoke(name("listed"), "listDeadLetters",
        new Object[] {0, 2}, new String[] {int.class.getName(), int.class.getName()});
    assertEquals(2, page.length);
    DeadLetterInfo first = DeadLetterInfo.from(page[0]);
    assertEquals(1, first.getAttempts());
    assertTrue(first.getCause().startsWith("javax.cache.integration.CacheWriterException"),
        first.getCause());
    for (CompositeData row : page) {
      assertFalse(row.values().toString().contains("secret"), "never a value over JMX: " + row);
    }

    ticker.advance(Duration.ofMinutes(1));
    assertEquals(1, server.invoke(name("listed"), "resubmitDeadLetters",
        new Object[] {new String[] {first.getKey(), "nope"}},
        new String[] {String[].class.getName()}));
    assertEquals(true, flush("listed"));
    assertEquals("secret-" + first.getKey(), TableWriter.TABLE.get(first.getKey()));
    assertEquals(1, server.invoke(name("listed"), "discardDeadLetters",
        new Object[] {new String[] {DeadLetterInfo.from(page[1]).getKey()}},
        new String[] {String[].class.getName()}));
    assertEquals(1, server.invoke(name("listed"), "discardDeadLetters", null, null));
    assertEquals(0, attribute("listed", "DeadLetters"));
    assertEquals(2L, attribute("listed", "DeadLettersDiscarded"));
  }

  @Test
  void beanIsUnregisteredWhenTheCacheCloses() throws Exception {
    Cache<String, String> cache = cache("closing");
    assertTrue(server.isRegistered(name("closing")));
    cache.close();
    assertFalse(server.isRegistered(name("closing")));
  }

  @Test
  void beanIsUnregisteredWhenTheCacheIsDestroyed() throws Exception {
    cache("destroyed").put("a", "1");
    manager.destroyCache("destroyed");
    assertFalse(server.isRegistered(name("destroyed")));
    assertEquals("1", TableWriter.TABLE.get("a"), "drained on destroy");
  }

  @Test
  void cachesWithoutWriteBehindHaveNoWriteBehindBean() throws Exception {
    var config = new JotterConfiguration<String, String>();
    config.setTypes(String.class, String.class).setManagementEnabled(true);
    manager.createCache("plain", config);
    assertFalse(server.isRegistered(name("plain")));
  }
}
