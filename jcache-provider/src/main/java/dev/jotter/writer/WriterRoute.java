package dev.jotter.writer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one place every {@code CacheWriter} call of a cache goes through: it decides between no writer,
 * write-through and write-behind.
 *
 * <p>A single-key mutation calls, in this order: {@link #admit} before the key's atomic section (where
 * write-behind applies its overflow policy, so that a refusal leaves the cache unchanged), then
 * {@link #write} or {@link #delete} inside the atomic section (so that the writer, or the write-behind
 * buffer, sees a key's operations in the order the cache applied them), then {@link #release} in a
 * {@code finally} block. A {@code write}/{@code delete} that throws aborts the cache's change.
 *
 * <p>Bulk mutations either go through {@link #writeAll}/{@link #deleteAll} before the cache changes
 * (write-through, which hands the writer one batch) or key by key (write-behind, which batches on its
 * own); {@link #isWriteBehind()} tells which.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface WriterRoute<K, V> {

  /** A slot reserved by {@link #admit}; write-through and no-writer routes use {@code null}. */
  interface Ticket {}

  /**
   * Reserves what a mutation of {@code key} needs; may wait or refuse with a CacheWriterException.
   *
   * @return the reservation, or null where the route reserves nothing (write-through, no writer)
   */
  @Nullable Ticket admit(K key);

  /**
   * Reserves for a bulk mutation: every key or none, so that a refusal leaves the cache unchanged.
   * The tickets come in the order of {@code keys}; {@link #releaseAll} returns them.
   */
  default List<@Nullable Ticket> admitAll(Collection<K> keys) {
    List<@Nullable Ticket> tickets = new ArrayList<>(keys.size());
    try {
      for (K key : keys) {
        tickets.add(admit(key));
      }
      return tickets;
    } catch (RuntimeException e) {
      releaseAll(tickets);
      throw e;
    }
  }

  /**
   * Returns whether bulk mutations are admitted with {@link #admitAll} (all keys or none, before the
   * cache changes) rather than key by key.
   */
  default boolean admitsBulkAtOnce() {
    return true;
  }

  /** Returns the tickets of {@link #admitAll}; called in a finally block. */
  default void releaseAll(List<@Nullable Ticket> tickets) {
    RuntimeException failure = null;
    for (@Nullable Ticket ticket : tickets) {
      try {
        release(ticket);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Passes a write to the writer; called inside the key's atomic section. */
  void write(@Nullable Ticket ticket, K key, V value);

  /** Passes a delete to the writer; called inside the key's atomic section. */
  void delete(@Nullable Ticket ticket, K key);

  /** Returns what {@link #admit} reserved and was not used; called in a finally block. */
  void release(@Nullable Ticket ticket);

  /**
   * Returns true for write-behind: bulk operations go key by key through {@link #write}/{@link
   * #delete} (the buffer batches on its own), and {@link #pending} answers for unwritten keys.
   */
  boolean isWriteBehind();

  /**
   * Writes a batch before the cache changes (write-through bulk path). On return {@code entries} holds
   * exactly the entries that were written, which the cache then applies: all of them on success; on
   * failure, all but those the writer left in its collection (JCache's partial-failure rule).
   *
   * @return the writer's failure as a {@code CacheWriterException}, or null on success
   */
  @Nullable RuntimeException writeAll(Map<K, V> entries);

  /**
   * Deletes a batch before the cache changes; like {@link #writeAll}: on return {@code keys} holds the
   * deleted keys.
   *
   * @return the writer's failure as a {@code CacheWriterException}, or null on success
   */
  @Nullable RuntimeException deleteAll(Collection<K> keys);

  /** Returns the state of a key whose operation the writer has not confirmed, or null (clause 7). */
  default @Nullable Pending<V> pending(K key) {
    return null;
  }

  /** Drains and stops the route; the cache is closing. */
  default void close() {}

  /**
   * The state of a key whose write or delete is not confirmed by the writer yet.
   *
   * @param <V> the value type
   */
  interface Pending<V> {
    /** Returns true if the pending operation deletes the key. */
    boolean isDelete();

    /** Returns the value being written, or null for a delete. */
    @Nullable V value();
  }
}
