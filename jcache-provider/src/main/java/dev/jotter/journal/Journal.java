package dev.jotter.journal;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The durable log of a write-behind cache's pending operations.
 *
 * <p>How the write-behind buffer uses it:
 * <ul>
 *   <li>{@link #prepare} is called first, outside the buffer's lock: the serialization, which
 *       may be slow and may fail, happens there. {@link #append(Prepared)} is then called under
 *       the buffer's queue lock, so sequence order is the buffer's order, also across keys; it
 *       must be cheap (no fsync).
 *   <li>{@code awaitDurable} is called by the mutating thread after the cache's per-key section,
 *       with the largest sequence it appended; a {@code SYNC} journal fsyncs there (group commit),
 *       an {@code ASYNC} one writes its queued records to the file there.
 *   <li>{@code markDone} follows the writer's confirmation, the replacement of the operation by a
 *       newer one of its key (coalescing), or its dead-lettering.
 *   <li>{@code replay} runs once, before the buffer accepts mutations.
 *   <li>The buffer owns the journal and closes it last, after the drain; operations still
 *       unfinished then stay in the journal for the next start.
 * </ul>
 */
public interface Journal<K, V> extends AutoCloseable {

  /** Appends a pending write and returns its sequence number, larger than all before it. */
  long appendWrite(K key, V value);

  /**
   * A write or delete made ready to append by {@link #prepare}: the key and value, and, for a
   * journal that serializes them, their bytes.
   *
   * @param <K>        the type of keys
   * @param <V>        the type of values
   * @param key        the key
   * @param value      the value, or {@code null} for a delete
   * @param keyBytes   the serialized key, or {@code null} if this journal did not prepare it
   * @param valueBytes the serialized value, or {@code null} for a delete or if not prepared
   */
  record Prepared<K, V>(K key, @Nullable V value, byte @Nullable [] keyBytes,
      byte @Nullable [] valueBytes) {}

  /**
   * Makes a write ({@code value} not null) or a delete ready to append, without any of the
   * journal's locks: a journal that serializes does it here. The default keeps the key and value
   * for {@link #append(Prepared)}.
   *
   * @param key   the key
   * @param value the value, or {@code null} for a delete
   * @return what {@link #append(Prepared)} takes
   * @throws IllegalArgumentException if the key or value cannot be journaled
   */
  default Prepared<K, V> prepare(K key, @Nullable V value) {
    return new Prepared<>(key, value, null, null);
  }

  /**
   * Appends what {@link #prepare} made ready and returns its sequence number, larger than all
   * before it. The default appends the key and value with {@link #appendWrite} or
   * {@link #appendDelete}.
   *
   * @param prepared a write or delete from {@link #prepare} of this journal
   * @return the sequence number
   */
  default long append(Prepared<K, V> prepared) {
    return (prepared.value() == null) ? appendDelete(prepared.key())
        : appendWrite(prepared.key(), prepared.value());
  }

  /** Appends a pending delete and returns its sequence number, larger than all before it. */
  long appendDelete(K key);

  /**
   * Appends a dead letter: an operation whose retry budget is spent, with why. It is replayed as a
   * dead letter ({@link JournalRecord#dead()}) until {@link #markDone} finishes it. The buffer then
   * marks the given-up operation's own record done; if a crash comes between the two, both are
   * replayed, and the dead letter, whose sequence is larger, wins.
   *
   * @param value the value, or {@code null} for a delete
   * @return the dead letter's sequence number, larger than all before it
   */
  long appendDead(K key, @Nullable V value, DeadMark mark);

  /** Returns once the record of {@code sequence} is as durable as the journal promises. */
  void awaitDurable(long sequence);

  /**
   * Records that the operation of {@code sequence} needs no replay. May arrive after
   * {@link #close()} from a writer call that outlived the drain; it must then be ignored.
   */
  void markDone(long sequence);

  /** Passes the unfinished records, pending and dead letters, to {@code sink} in sequence order. */
  void replay(Consumer<JournalRecord<K, V>> sink);

  @Override
  void close();

  /**
   * How many times opening this journal found a torn or corrupt tail and cut it.
   *
   * @return the count; zero for a journal that cannot tear
   */
  default long corruptTailRecoveries() {
    return 0;
  }

  /**
   * How many older segments opening this journal found damaged before their end.
   *
   * @return the count; zero for a journal without segments
   */
  default long corruptSegments() {
    return 0;
  }

  /**
   * How many records the replay could not read back (their key or value) and skipped.
   *
   * @return the count; zero for a journal that cannot have such records
   */
  default long unreadableRecords() {
    return 0;
  }

  /** Returns the journal of a cache whose durability is NONE: it keeps nothing. */
  @SuppressWarnings("unchecked")
  static <K, V> Journal<K, V> none() {
    return (Journal<K, V>) NoJournal.INSTANCE;
  }
}
