package dev.jotter.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.spi.JotterCachingProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StoreByValueTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();
  private final CacheManager manager =
      provider.getCacheManager(URI.create("test:StoreByValueTest"), getClass().getClassLoader());

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private Cache<String, Object> byValue() {
    return manager.createCache("by-value", new JotterConfiguration<String, Object>());
  }

  private Cache<String, Object> byReference() {
    var config = new JotterConfiguration<String, Object>();
    config.setStoreByValue(false);
    return manager.createCache("by-reference", config);
  }

  @Test
  void callerMutationAfterPutDoesNotChangeTheCachedValue() {
    Cache<String, Object> cache = byValue();
    Box box = new Box("a");
    cache.put("k", box);

    box.items.add("changed by caller");

    assertEquals(List.of("a"), ((Box) cache.get("k")).items);
  }

  @Test
  void mutatingAReturnedValueDoesNotChangeTheCache() {
    Cache<String, Object> cache = byValue();
    cache.put("k", new Box("a"));

    Box read = (Box) cache.get("k");
    read.items.add("changed by reader");

    assertEquals(List.of("a"), ((Box) cache.get("k")).items);
    assertNotSame(read, cache.get("k"), "each read hands out its own copy");
  }

  @Test
  void getAllAndIteratorAndGetAndPutHandOutCopiesToo() {
    Cache<String, Object> cache = byValue();
    Box box = new Box("a");
    cache.put("k", box);

    ((Box) cache.getAll(Set.of("k")).get("k")).items.add("x");
    ((Box) cache.iterator().next().getValue()).items.add("y");
    Box old = (Box) cache.getAndPut("k", new Box("b"));
    old.items.add("z");

    assertEquals(List.of("a"), old.items.subList(0, 1));
    assertNotSame(box, old);
    assertEquals(List.of("b"), ((Box) cache.get("k")).items);
  }

  @Test
  void mutableKeyChangedAfterPutStillFindsTheEntry() {
    Cache<Box, String> cache = manager.createCache("box-keys", new JotterConfiguration<Box, String>());
    Box key = new Box("a");
    cache.put(key, "v");

    key.items.add("changed");

    assertEquals("v", cache.get(new Box("a")), "the cache holds a copy of the key as it was");
    assertNull(cache.get(key));
  }

  @Test
  void immutableJdkValuesAreNotCopied() {
    Cache<String, Object> cache = byValue();
    List<Object> values = List.of(new String("text"), Long.valueOf(123_456_789L), UUID.randomUUID(),
        TimeUnit.SECONDS, new BigDecimal("12.50"), Instant.now(), LocalDate.of(2024, 2, 29),
        Boolean.TRUE, Integer.valueOf(70_000), Double.valueOf(1.5));
    for (int i = 0; i < values.size(); i++) {
      cache.put("k" + i, values.get(i));
    }
    for (int i = 0; i < values.size(); i++) {
      assertSame(values.get(i), cache.get("k" + i), () -> "copied an immutable value");
    }
  }

  @Test
  void enumConstantWithABodyStaysTheSameInstance() {
    Cache<String, Object> cache = byValue();
    cache.put("k", Shape.CIRCLE);
    assertSame(Shape.CIRCLE, cache.get("k"));
  }

  @Test
  void nonSerializableValueUnderStoreByValueFailsNamingTheClassAndTheFix() {
    Cache<String, Object> cache = byValue();
    var e = assertThrows(IllegalArgumentException.class, () -> cache.put("k", new Unserializable()));
    assertTrue(e.getMessage().contains(Unserializable.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("Serializable"), e.getMessage());
    assertTrue(e.getMessage().contains("setStoreByValue(false)"), e.getMessage());
    assertFalse(cache.containsKey("k"), "a value that cannot be copied is not stored");
  }

  @Test
  void nonSerializableKeyUnderStoreByValueFailsNamingTheClass() {
    Cache<Object, String> cache =
        manager.createCache("object-keys", new JotterConfiguration<Object, String>());
    var e = assertThrows(IllegalArgumentException.class, () -> cache.put(new Unserializable(), "v"));
    assertTrue(e.getMessage().contains(Unserializable.class.getName()), e.getMessage());
  }

  @Test
  void serializableValueWithAnUnserializableFieldFailsAsCacheException() {
    Cache<String, Object> cache = byValue();
    var e = assertThrows(CacheException.class, () -> cache.put("k", new Holder(new Unserializable())));
    assertTrue(e.getMessage().contains(Holder.class.getName()), e.getMessage());
    assertFalse(cache.containsKey("k"));
  }

  @Test
  void storeByReferenceReturnsTheSameInstance() {
    Cache<String, Object> cache = byReference();
    Box box = new Box("a");
    cache.put("k", box);
    box.items.add("seen by the cache");

    assertSame(box, cache.get("k"));
    assertEquals(List.of("a", "seen by the cache"), ((Box) cache.get("k")).items);
  }

  @Test
  void storeByReferenceAcceptsNonSerializableValues() {
    Cache<String, Object> cache = byReference();
    Unserializable value = new Unserializable();
    cache.put("k", value);
    assertSame(value, cache.get("k"));
  }

  @Test
  void copyFilterThatRejectsTheValueClassFailsThePutNamingTheClass() {
    var config = new JotterConfiguration<String, Object>().setCopyFilter("!" + Box.class.getName());
    Cache<String, Object> cache = manager.createCache("filtered", config);

    var e = assertThrows(CacheException.class, () -> cache.put("k", new Box("a")));

    assertTrue(e.getMessage().contains(Box.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("filter"), e.getMessage());
    assertFalse(cache.containsKey("k"));
  }

  @Test
  void copyFilterThatAllowsTheValueClassLetsThePutThrough() {
    var config = new JotterConfiguration<String, Object>()
        .setCopyFilter(Box.class.getName() + ";java.base/*;!*");
    Cache<String, Object> cache = manager.createCache("allowed", config);
    cache.put("k", new Box("a"));
    assertEquals(List.of("a"), ((Box) cache.get("k")).items);
  }

  @Test
  void copiesResolveClassesThroughTheManagersClassLoader() throws Exception {
    ClassLoader isolating = new IsolatingLoader(getClass().getClassLoader(), Box.class.getName());
    CacheManager isolated = provider.getCacheManager(URI.create("test:isolated"), isolating);
    Cache<String, Object> cache = isolated.createCache("c", new JotterConfiguration<String, Object>());

    cache.put("k", new Box("a"));
    Object read = cache.get("k");

    assertEquals(Box.class.getName(), read.getClass().getName());
    assertNotSame(Box.class, read.getClass(), "the copy's class comes from the manager's loader");
    assertSame(isolating, read.getClass().getClassLoader());
  }

  @Test
  void serializationCopierUsesTheGivenLoader() throws Exception {
    ClassLoader isolating = new IsolatingLoader(getClass().getClassLoader(), Box.class.getName());
    Object copy = new SerializationCopier(null).copy(new Box("a"), isolating);
    assertSame(isolating, copy.getClass().getClassLoader());
  }

  @Test
  void copierFallsBackToItsOwnLoaderForClassesTheGivenLoaderCannotSee() {
    ClassLoader blind = new ClassLoader(null) {};
    Box copy = new SerializationCopier(null).copy(new Box("a"), blind);
    assertEquals(List.of("a"), copy.items);
  }

  @Test
  void identityCopierNeverCopies() {
    Box box = new Box("a");
    assertSame(box, Copier.identity().copy(box, getClass().getClassLoader()));
  }

  @Test
  void storedMapValueIsADeepCopy() {
    Cache<String, Object> cache = byValue();
    Map<String, List<String>> value = new java.util.HashMap<>();
    value.put("list", new ArrayList<>(List.of("a")));
    cache.put("k", value);
    value.get("list").add("b");
    @SuppressWarnings("unchecked")
    Map<String, List<String>> read = (Map<String, List<String>>) cache.get("k");
    assertEquals(List.of("a"), read.get("list"));
  }

  /** A mutable serializable value. */
  static final class Box implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<String> items = new ArrayList<>();

    Box(String first) {
      items.add(first);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Box && ((Box) o).items.equals(items);
    }

    @Override
    public int hashCode() {
      return items.hashCode();
    }
  }

  static final class Unserializable {}

  static final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;
    final Object field;

    Holder(Object field) {
      this.field = field;
    }
  }

  enum Shape {
    CIRCLE {
      @Override
      double area(double r) {
        return Math.PI * r * r;
      }
    };

    abstract double area(double r);
  }

  /** Defines its own copy of one class (child-first) and delegates everything else. */
  static final class IsolatingLoader extends ClassLoader {
    private final String isolated;

    IsolatingLoader(ClassLoader parent, String isolated) {
      super(parent);
      this.isolated = isolated;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(isolated)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return loaded;
      }
    }
  }
}
