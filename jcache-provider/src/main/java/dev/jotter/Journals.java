package dev.jotter;

import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.FileJournal;
import dev.jotter.journal.JavaSerializationJournalSerializer;
import dev.jotter.journal.Journal;
import dev.jotter.journal.JournalCodec;
import dev.jotter.journal.JournalSerializer;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.cache.CacheException;
import org.jspecify.annotations.Nullable;

/** Opens the journal of a durable write-behind cache. */
final class Journals {

  private Journals() {}

  /**
   * Opens (and locks) the cache's journal: the folder {@code cache-<url-encoded name>} under the
   * configured journal directory, so that caches can share one directory setting.
   *
   * @throws CacheException naming the cache if the journal cannot be opened: its directory is
   *     held by another live cache (in this or another process), or cannot be read or written
   */
  static <K, V> Journal<K, V> open(String cacheName, WriteBehindConfiguration settings,
      JotterConfiguration<K, V> configuration, ClassLoader classLoader) {
    Path root = settings.journalDirectory().orElseThrow(() -> new IllegalArgumentException(
        "cache '" + cacheName + "': durability " + settings.durability()
            + " needs a journalDirectory"));
    Path directory = root.resolve("cache-" + URLEncoder.encode(cacheName, StandardCharsets.UTF_8));
    JournalSerializer<K, V> serializer = serializer(cacheName, configuration, classLoader);
    try {
      return FileJournal.builder(directory, serializer)
          .durability(settings.durability())
          .syncInterval(settings.syncInterval())
          .open();
    } catch (IllegalStateException | UncheckedIOException e) {
      // createCache reports configuration failures as CacheException; ISE means "manager closed"
      throw new CacheException("cache '" + cacheName + "' cannot open its journal: "
          + e.getMessage(), e);
    }
  }

  /** How a durable cache's keys and values become bytes: its factory, codecs, or an allow-list. */
  static <K, V> JournalSerializer<K, V> serializer(String cacheName,
      JotterConfiguration<K, V> configuration, ClassLoader classLoader) {
    if (configuration.getJournalSerializerFactory() != null) {
      return configuration.getJournalSerializerFactory().create();
    }
    JournalCodec<K> keys = codec(configuration.getKeyType());
    JournalCodec<V> values = codec(configuration.getValueType());
    if (keys != null && values != null) {
      return JournalSerializer.of(keys, values);
    }
    if (configuration.getJournalAllowList() == null) {
      throw new IllegalArgumentException("cache '" + cacheName + "' journals its "
          + configuration.getKeyType().getName() + " keys and " + configuration.getValueType().getName()
          + " values with Java serialization, which needs an allow-list of the classes it may read "
          + "back: set journalAllowList (an ObjectInputFilter pattern such as 'com.example.model.*') "
          + "or a journalSerializerFactory");
    }
    return new JavaSerializationJournalSerializer<>(configuration.getJournalAllowList(), classLoader);
  }

  @SuppressWarnings("unchecked")
  private static <T> @Nullable JournalCodec<T> codec(Class<T> type) {
    if (type == String.class) {
      return (JournalCodec<T>) JournalCodec.strings();
    } else if (type == Long.class) {
      return (JournalCodec<T>) JournalCodec.longs();
    } else if (type == Integer.class) {
      return (JournalCodec<T>) JournalCodec.integers();
    } else if (type == byte[].class) {
      return (JournalCodec<T>) JournalCodec.byteArrays();
    }
    return null;
  }
}
