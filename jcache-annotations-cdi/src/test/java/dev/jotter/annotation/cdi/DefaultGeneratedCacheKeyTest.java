package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class DefaultGeneratedCacheKeyTest {

  @Test
  void keysOfDeeplyEqualValuesAreEqualWithEqualHashCodes() {
    DefaultGeneratedCacheKey a = DefaultGeneratedCacheKey.of("x", 1, new int[] {1, 2}, null);
    DefaultGeneratedCacheKey b = DefaultGeneratedCacheKey.of("x", 1, new int[] {1, 2}, null);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void orderAndValuesDistinguishKeys() {
    assertNotEquals(DefaultGeneratedCacheKey.of("a", "b"), DefaultGeneratedCacheKey.of("b", "a"));
    assertNotEquals(DefaultGeneratedCacheKey.of("a"), DefaultGeneratedCacheKey.of("a", null));
  }

  @Test
  void keySurvivesSerializationAsAStoreByValueCacheCopiesIt() throws Exception {
    DefaultGeneratedCacheKey key = DefaultGeneratedCacheKey.of("x", 42L);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(key);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      Object copy = in.readObject();
      assertEquals(key, copy);
      assertEquals(key.hashCode(), copy.hashCode());
    }
  }

  @Test
  void keyIsIndependentOfTheArrayItWasBuiltFrom() {
    Object[] values = {"a"};
    DefaultGeneratedCacheKey key = DefaultGeneratedCacheKey.of(values);
    values[0] = "b";
    assertEquals(DefaultGeneratedCacheKey.of("a"), key);
  }
}
