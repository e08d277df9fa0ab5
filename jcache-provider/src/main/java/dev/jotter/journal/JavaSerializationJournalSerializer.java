package dev.jotter.journal;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A serializer that uses Java serialization, but reads back only the classes of an allow-list.
 *
 * <p>The allow-list is an {@link ObjectInputFilter} pattern, for example
 * {@code "com.example.model.*;java.base/*;!*"}, with the syntax of
 * {@link ObjectInputFilter.Config#createFilter}. Whatever the pattern does not explicitly allow is
 * rejected, also when it does not end with {@code !*}: the check happens when the stream names a
 * class, before any instance of it exists, so a rejected class's {@code readObject} never runs.
 * Limits in the pattern ({@code maxdepth=}, {@code maxbytes=}, ...) apply too. A rejected record
 * makes {@link #deserializeKey}/{@link #deserializeValue} throw an
 * {@link IllegalArgumentException}; the journal reports it and skips it. So that a missing class
 * shows before anything is acknowledged, not at the replay after a crash, the first instance of
 * each class written is read back at once, and a class the allow-list rejects fails that write.
 *
 * <p>Prefer {@link JournalSerializer#of} with {@link JournalCodec}s where the types allow it.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class JavaSerializationJournalSerializer<K, V> implements JournalSerializer<K, V> {
  /** Classes whose first instance was read back; see {@link #readableOnce}. */
  private final Set<Class<?>> readable = ConcurrentHashMap.newKeySet();
  private final String allowList;
  private final ObjectInputFilter filter;
  private final ClassLoader classLoader;

  /**
   * Creates a serializer that resolves classes with the context class loader of the creating
   * thread (or this class's loader if there is none).
   *
   * @param allowList an {@link ObjectInputFilter} pattern naming the allowed classes
   * @throws IllegalArgumentException if the pattern is malformed
   */
  public JavaSerializationJournalSerializer(String allowList) {
    this(allowList, defaultLoader());
  }

  /**
   * Creates a serializer that resolves classes with {@code classLoader}.
   *
   * @param allowList an {@link ObjectInputFilter} pattern naming the allowed classes
   * @param classLoader resolves the allowed classes
   * @throws IllegalArgumentException if the pattern is malformed
   */
  public JavaSerializationJournalSerializer(String allowList, ClassLoader classLoader) {
    this.allowList = requireNonNull(allowList, "allowList");
    this.classLoader = requireNonNull(classLoader, "classLoader");
    ObjectInputFilter pattern = ObjectInputFilter.Config.createFilter(allowList);
    if (pattern == null) {
      throw new IllegalArgumentException("The allow-list is empty; name the allowed classes, "
          + "for example \"com.example.*;java.base/*;!*\"");
    }
    this.filter = info -> {
      ObjectInputFilter.Status status = pattern.checkInput(info);
      if (status != ObjectInputFilter.Status.UNDECIDED) {
        return status;
      }
      Class<?> type = info.serialClass();
      if (type == null) {
        return ObjectInputFilter.Status.ALLOWED; // a limit check the pattern did not restrict
      }
      while (type.isArray()) {
        type = type.getComponentType();
      }
      return type.isPrimitive() ? ObjectInputFilter.Status.ALLOWED
          : ObjectInputFilter.Status.REJECTED;
    };
  }

  private static ClassLoader defaultLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return (loader == null) ? JavaSerializationJournalSerializer.class.getClassLoader() : loader;
  }

  @Override
  public byte[] serializeKey(K key) {
    return readableOnce(key, write(key), "key");
  }

  @Override
  @SuppressWarnings("unchecked")
  public K deserializeKey(byte[] bytes) {
    return (K) read(bytes);
  }

  @Override
  public byte[] serializeValue(V value) {
    return readableOnce(value, write(value), "value");
  }

  /**
   * Reads back the first instance of each class this serializer writes. An allow-list that
   * misses a class (a key type, a field's type, a superclass) would otherwise show only when the
   * journal is replayed after a crash, and the records written meanwhile could not be read
   * back: so the mutation that first journals such a class fails instead, and the cache is left
   * unchanged. Later instances of a checked class are not read back, which keeps the cost to
   * one deserialization per class; an instance whose fields hold other, rejected classes than
   * the first one's still fails at replay.
   */
  private byte[] readableOnce(Object instance, byte[] bytes, String what) {
    Class<?> type = instance.getClass();
    if (!readable.contains(type)) {
      try {
        read(bytes);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("The journal could not read back the " + what
            + " of class " + type.getName() + " it was asked to write: " + e.getMessage()
            + "; the allow-list must name every class in its serialized form (the class, its"
            + " superclasses and the classes of its fields), for example \"" + type.getName()
            + ";java.base/*;!*\"", e);
      }
      readable.add(type);
    }
    return bytes;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V deserializeValue(byte[] bytes) {
    return (V) read(bytes);
  }

  private static byte[] write(Object instance) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(instance);
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException("Not serializable: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private Object read(byte[] bytes) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      protected Class<?> resolveClass(ObjectStreamClass desc)
          throws IOException, ClassNotFoundException {
        try {
          return Class.forName(desc.getName(), false, classLoader);
        } catch (ClassNotFoundException e) {
          return super.resolveClass(desc);
        }
      }
    }) {
      in.setObjectInputFilter(filter);
      Object result = in.readObject();
      if (in.read() != -1) {
        throw new IllegalArgumentException("Trailing bytes after the serialized object");
      }
      return result;
    } catch (InvalidClassException e) {
      throw new IllegalArgumentException("Rejected by the allow-list \"" + allowList + "\": "
          + e.getMessage(), e);
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalArgumentException("Cannot deserialize: " + e, e);
    }
  }

  @Override
  public String toString() {
    return "JavaSerializationJournalSerializer[" + allowList + "]";
  }
}
