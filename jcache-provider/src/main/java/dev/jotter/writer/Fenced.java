package dev.jotter.writer;

import org.jspecify.annotations.Nullable;

/**
 * One operation for a {@link FencedCacheWriter}: a write of {@link #value()} or, when it is
 * {@code null}, a delete of {@link #key()}, with the fencing token of the mutation.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Fenced<K, V> {

  /**
   * The key.
   *
   * @return the key
   */
  K key();

  /**
   * The value to write, or {@code null} when the operation deletes the key.
   *
   * @return the value, or {@code null}
   */
  @Nullable V value();

  /**
   * Whether the operation deletes the key.
   *
   * @return {@code value() == null}
   */
  default boolean isDelete() {
    return value() == null;
  }

  /**
   * The mutation's place in its key's history: a later mutation of the same key always has a
   * greater token, on every node, and an operation delivered again has the same token. For the
   * Kafka log it is the record's offset in the key's partition (so it holds as long as the
   * topic's partition count does not change).
   *
   * @return the token, never negative
   */
  long token();
}
