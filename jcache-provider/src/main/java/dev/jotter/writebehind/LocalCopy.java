package dev.jotter.writebehind;

import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * This node's copy of a cache, as a {@link WriteBehindLog} shared by several nodes sees it: the
 * log applies the other nodes' mutations here so that every node's copy converges to each key's
 * last mutation in the log, which is also the database's final state.
 *
 * <p>An applied mutation reaches neither the writer nor the log (it is in the log already), does
 * not count in the cache's statistics (they count this node's operations), and takes the
 * cache's expiry policy as a put would. Registered listeners hear an {@link Mode#UPDATE update}
 * as created, updated or removed; an {@link Mode#INVALIDATE invalidation} is silent, like an
 * eviction.
 *
 * <p>Thread-safe; {@link #apply} takes the key's atomic section, so it must not be called from a
 * thread that the cache's own mutations may wait for (a Kafka producer's callback, say).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface LocalCopy<K, V> {

  /** What another node's mutation does to this node's entry of its key. */
  enum Mode {
    /** The entry takes the mutation's value; a delete removes it. */
    UPDATE,
    /** The entry is dropped, so that the next read asks the log or the loader. */
    INVALIDATE
  }

  /**
   * Applies another node's mutation of {@code key}, in the key's atomic section, if
   * {@code applies} (called there, so atomically with this node's own mutations of the key)
   * still says so. Does nothing once the cache is closed.
   *
   * @param key the key
   * @param value the key's new value, or {@code null} for a delete
   * @param mode whether the entry takes the value or is dropped
   * @param applies decides, inside the key's section, whether the mutation is still newer than
   *     what this node holds of the key (false when this node wrote the key since)
   * @return whether the mutation was applied
   */
  boolean apply(K key, @Nullable V value, Mode mode, BooleanSupplier applies);
}
