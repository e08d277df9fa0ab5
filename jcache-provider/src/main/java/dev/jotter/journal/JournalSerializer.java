package dev.jotter.journal;

import static java.util.Objects.requireNonNull;

/**
 * Turns keys and values into journal bytes and back. The journal stores the bytes verbatim and
 * checks them with a CRC, so a serializer only has to be deterministic and total on its own
 * output. Deserializing reads what a previous process wrote: an implementation must never
 * instantiate a class the user did not allow (Java serialization only behind an allow-list,
 * see {@link JavaSerializationJournalSerializer}).
 *
 * <p>A deserialize method throws any {@link RuntimeException} for bytes it will not or cannot
 * read; the journal then reports the record at ERROR level, counts it in
 * {@link FileJournal#unreadableRecords()}, skips it and marks it done.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface JournalSerializer<K, V> {

  /**
   * Serializes a key.
   *
   * @param key the key, not null
   * @return its bytes
   */
  byte[] serializeKey(K key);

  /**
   * Reads a key written by {@link #serializeKey}.
   *
   * @param bytes what {@code serializeKey} returned, perhaps in another process
   * @return the key
   */
  K deserializeKey(byte[] bytes);

  /**
   * Serializes a value.
   *
   * @param value the value, not null
   * @return its bytes
   */
  byte[] serializeValue(V value);

  /**
   * Reads a value written by {@link #serializeValue}.
   *
   * @param bytes what {@code serializeValue} returned, perhaps in another process
   * @return the value
   */
  V deserializeValue(byte[] bytes);

  /**
   * Returns the serializer of a cache whose keys and values have codecs, for example
   * {@code JournalSerializer.of(JournalCodec.strings(), JournalCodec.longs())}: no Java
   * serialization at all.
   *
   * @param keys the codec of the keys
   * @param values the codec of the values
   * @param <K> the key type
   * @param <V> the value type
   * @return the serializer
   */
  static <K, V> JournalSerializer<K, V> of(JournalCodec<K> keys, JournalCodec<V> values) {
    requireNonNull(keys, "keys");
    requireNonNull(values, "values");
    return new JournalSerializer<>() {
      @Override
      public byte[] serializeKey(K key) {
        return keys.encode(key);
      }

      @Override
      public K deserializeKey(byte[] bytes) {
        return keys.decode(bytes);
      }

      @Override
      public byte[] serializeValue(V value) {
        return values.encode(value);
      }

      @Override
      public V deserializeValue(byte[] bytes) {
        return values.decode(bytes);
      }

      @Override
      public String toString() {
        return "JournalSerializer.of(" + keys + ", " + values + ")";
      }
    };
  }
}
