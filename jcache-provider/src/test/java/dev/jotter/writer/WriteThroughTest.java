package dev.jotter.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteThroughTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("test:WriteThroughTest"), getClass().getClassLoader());
  private final MapWriter writer = new MapWriter();

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private <V> Cache<String, V> cache(Class<V> valueType) {
    var config = new JotterConfiguration<String, V>();
    config.setTypes(String.class, valueType);
    config.setCacheWriterFactory(() -> writer).setWriteThrough(true);
    return manager.createCache("written", config);
  }

  private static Map<String, String> contents(Cache<String, String> cache) {
    Map<String, String> map = new LinkedHashMap<>();
    cache.forEach(e -> map.put(e.getKey(), e.getValue()));
    return map;
  }

  @Test
  void putWritesTheEntryThrough() {
    Cache<String, String> cache = cache(String.class);
    cache.put("k", "v");
    cache.putIfAbsent("p", "q");
    cache.replace("k", "w");
    assertEquals(Map.of("k", "w", "p", "q"), writer.store);
  }

  @Test
  void failedPutLeavesTheCacheUnchanged() {
    Cache<String, String> cache = cache(String.class);
    cache.put("k", "old");
    writer.failOn.add("k");

    var e = assertThrows(CacheWriterException.class, () -> cache.put("k", "new"));

    assertTrue(e.getMessage().contains("CacheWriter"), e.getMessage());
    assertEquals("old", cache.get("k"));
    assertEquals("old", writer.store.get("k"));
  }

  @Test
  void failedPutOfANewKeyCreatesNoEntry() {
    Cache<String, String> cache = cache(String.class);
    writer.failOn.add("k");
    assertThrows(CacheWriterException.class, () -> cache.put("k", "v"));
    assertThrows(CacheWriterException.class, () -> cache.putIfAbsent("k", "v"));
    assertThrows(CacheWriterException.class, () -> cache.getAndPut("k", "v"));
    assertFalse(cache.containsKey("k"));
  }

  @Test
  void failedReplaceLeavesTheOldValue() {
    Cache<String, String> cache = cache(String.class);
    cache.put("k", "old");
    writer.failOn.add("k");
    assertThrows(CacheWriterException.class, () -> cache.replace("k", "new"));
    assertThrows(CacheWriterException.class, () -> cache.replace("k", "old", "new"));
    assertThrows(CacheWriterException.class, () -> cache.getAndReplace("k", "new"));
    assertEquals("old", cache.get("k"));
  }

  @Test
  void failedRemoveLeavesTheEntry() {
    Cache<String, String> cache = cache(String.class);
    cache.put("k", "v");
    writer.failOn.add("k");

    assertThrows(CacheWriterException.class, () -> cache.remove("k"));
    assertThrows(CacheWriterException.class, () -> cache.remove("k", "v"));
    assertThrows(CacheWriterException.class, () -> cache.getAndRemove("k"));

    assertEquals("v", cache.get("k"));
    assertEquals("v", writer.store.get("k"));
  }

  @Test
  void putAllPartialFailureAppliesOnlyTheWrittenEntries() {
    Cache<String, String> cache = cache(String.class);
    cache.put("b", "old-b");
    writer.failOn.add("b");
    Map<String, String> batch = new LinkedHashMap<>();
    batch.put("a", "1");
    batch.put("b", "2");
    batch.put("c", "3");

    assertThrows(CacheWriterException.class, () -> cache.putAll(batch));

    assertEquals(Map.of("a", "1", "b", "old-b", "c", "3"), contents(cache));
    assertEquals(Map.of("a", "1", "b", "old-b", "c", "3"), writer.store);
  }

  @Test
  void putAllWhoseWriterWritesNothingChangesNothing() {
    Cache<String, String> cache = cache(String.class);
    writer.failEverything = true;
    assertThrows(CacheWriterException.class, () -> cache.putAll(Map.of("a", "1", "b", "2")));
    assertTrue(contents(cache).isEmpty());
  }

  @Test
  void removeAllPartialFailureRemovesOnlyTheDeletedKeys() {
    Cache<String, String> cache = cache(String.class);
    cache.putAll(Map.of("a", "1", "b", "2", "c", "3"));
    writer.failOn.add("b");

    assertThrows(CacheWriterException.class, () -> cache.removeAll(Set.of("a", "b", "c")));

    assertEquals(Map.of("b", "2"), contents(cache));
    assertEquals(Map.of("b", "2"), writer.store);
  }

  @Test
  void clearNeverCallsTheWriter() {
    Cache<String, String> cache = cache(String.class);
    cache.putAll(Map.of("a", "1", "b", "2"));
    int callsBefore = writer.calls.size();

    cache.clear();

    assertTrue(contents(cache).isEmpty());
    assertEquals(callsBefore, writer.calls.size(), () -> "writer called by clear: " + writer.calls);
    assertEquals(Map.of("a", "1", "b", "2"), writer.store);
  }

  @Test
  void removeAllWithoutKeysDeletesThroughTheWriter() {
    Cache<String, String> cache = cache(String.class);
    cache.putAll(Map.of("a", "1", "b", "2"));
    cache.removeAll();
    assertTrue(writer.store.isEmpty());
    assertTrue(writer.calls.contains("deleteAll"));
  }

  @Test
  void writerSeesTheCallersObjectsWhileTheCacheKeepsACopy() {
    Cache<String, ArrayList> cache = cache(ArrayList.class);
    ArrayList<String> value = new ArrayList<>(List.of("a"));
    cache.put("k", value);
    assertTrue(writer.store.get("k") == value);
  }

  @Test
  void valueThatCannotBeCopiedNeverReachesTheWriter() {
    Cache<String, Object> cache = cache(Object.class);
    assertThrows(IllegalArgumentException.class, () -> cache.put("k", new Object()));
    assertThrows(IllegalArgumentException.class, () -> cache.putIfAbsent("p", new Object()));
    assertFalse(cache.containsKey("k"));
    assertNull(writer.store.get("k"), "the cache refused the value, the writer must not hold it");
    assertNull(writer.store.get("p"), "the cache refused the value, the writer must not hold it");
  }

  @Test
  void putAllWithAValueThatCannotBeCopiedWritesNothing() {
    Cache<String, Object> cache = cache(Object.class);
    Map<String, Object> batch = new LinkedHashMap<>();
    batch.put("a", "fine");
    batch.put("b", new Object());
    assertThrows(IllegalArgumentException.class, () -> cache.putAll(batch));
    assertTrue(writer.store.isEmpty(), () -> "writer holds " + writer.store);
  }

  /** A writer into a map that can be told to fail on some keys, honouring the bulk contract. */
  static final class MapWriter implements CacheWriter<String, Object>, Serializable {
    private static final long serialVersionUID = 1L;
    final Map<String, Object> store = new ConcurrentHashMap<>();
    final Set<String> failOn = ConcurrentHashMap.newKeySet();
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean failEverything;

    @Override
    public void write(Cache.Entry<? extends String, ?> entry) {
      calls.add("write");
      check(entry.getKey());
      store.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ?>> entries) {
      calls.add("writeAll");
      Set<String> failed = new HashSet<>();
      for (Iterator<Cache.Entry<? extends String, ?>> it = entries.iterator(); it.hasNext(); ) {
        Cache.Entry<? extends String, ?> entry = it.next();
        if (failEverything || failOn.contains(entry.getKey())) {
          failed.add(entry.getKey());
          continue;
        }
        store.put(entry.getKey(), entry.getValue());
        it.remove();
      }
      if (!failed.isEmpty()) {
        throw new IllegalStateException("could not write " + failed);
      }
    }

    @Override
    public void delete(Object key) {
      calls.add("delete");
      check((String) key);
      store.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      calls.add("deleteAll");
      Set<Object> failed = new HashSet<>();
      for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
        Object key = it.next();
        if (failEverything || failOn.contains(key)) {
          failed.add(key);
          continue;
        }
        store.remove(key);
        it.remove();
      }
      if (!failed.isEmpty()) {
        throw new IllegalStateException("could not delete " + failed);
      }
    }

    private void check(String key) {
      if (failEverything || failOn.contains(key)) {
        throw new IllegalStateException("refused " + key);
      }
    }
  }
}
