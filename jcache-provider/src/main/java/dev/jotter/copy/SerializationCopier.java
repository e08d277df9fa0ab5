package dev.jotter.copy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.UUID;
import javax.cache.CacheException;
import org.jspecify.annotations.Nullable;

/**
 * Copies through Java serialization, the only deep copy that works for any {@code Serializable} class
 * without help from it. Immutable JDK types are returned as they are: copying them would cost time and
 * change nothing.
 *
 * <p>Reading the bytes back goes through an {@link ObjectInputFilter}: the one configured for the cache,
 * else the JVM-wide one ({@code jdk.serialFilter}), else a filter that only limits the depth and size
 * of the object graph. The bytes come from the cache's own caller, so the filter guards against
 * accidents (a huge or cyclic graph) more than attacks; configure an allow-list to be strict.
 */
public final class SerializationCopier implements Copier {

  private static final Set<Class<?>> IMMUTABLE = Set.of(
      String.class, Boolean.class, Character.class, Byte.class, Short.class, Integer.class,
      Long.class, Float.class, Double.class, BigInteger.class, BigDecimal.class, UUID.class,
      URI.class, Instant.class, Duration.class, LocalDate.class, LocalTime.class,
      LocalDateTime.class, OffsetDateTime.class, ZonedDateTime.class, Class.class);

  private static final String GRAPH_LIMITS = "maxdepth=1000;maxrefs=10000000";

  private final ObjectInputFilter filter;

  /**
   * @param filterPattern an {@link ObjectInputFilter.Config#createFilter} pattern, or null for the
   *     default described on this class
   */
  public SerializationCopier(@Nullable String filterPattern) {
    if (filterPattern != null) {
      this.filter = ObjectInputFilter.Config.createFilter(filterPattern);
    } else {
      ObjectInputFilter jvmWide = ObjectInputFilter.Config.getSerialFilter();
      this.filter = jvmWide != null ? jvmWide : ObjectInputFilter.Config.createFilter(GRAPH_LIMITS);
    }
  }

  /** Returns whether no one can change {@code object}, so that a copy of it would be wasted work. */
  public static boolean isImmutable(Object object) {
    Class<?> type = object.getClass();
    return IMMUTABLE.contains(type) || type.isEnum();
  }

  @Override
  public <T> T copy(T object, ClassLoader classLoader) {
    Class<?> type = object.getClass();
    if (isImmutable(object)) {
      return object;
    }
    if (!(object instanceof Serializable)) {
      throw new IllegalArgumentException(type.getName() + " is not Serializable, but the cache is "
          + "store-by-value, which copies keys and values through Java serialization: make the "
          + "class Serializable, or configure the cache with setStoreByValue(false)");
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(object);
      }
      try (ObjectInputStream in =
          new LoaderObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()), classLoader)) {
        in.setObjectInputFilter(filter);
        @SuppressWarnings("unchecked")
        T copy = (T) in.readObject();
        return copy;
      }
    } catch (InvalidClassException e) {
      throw new CacheException("store-by-value could not copy a " + type.getName()
          + ": the copy filter rejected it or its class is invalid (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new CacheException("store-by-value could not copy a " + type.getName(),
          new UncheckedIOException(e));
    } catch (ClassNotFoundException e) {
      throw new CacheException("store-by-value could not copy a " + type.getName()
          + ": a class is not visible to the cache manager's class loader", e);
    }
  }

  /** Resolves classes with the cache manager's loader, which may see classes that this one cannot. */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
