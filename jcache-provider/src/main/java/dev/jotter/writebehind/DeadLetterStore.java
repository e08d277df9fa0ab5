package dev.jotter.writebehind;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The dead letters of one buffer, newest per key, oldest first. Guarded by the buffer's lock.
 *
 * <p>A key's letter is the key's newest state: a key never has a letter and a pending operation
 * at once (a mutation supersedes the letter; a resubmission turns it back into an operation).
 *
 * <p>Bounded by {@code capacity}, but never by dropping: {@link LetterDesk#claim()} tells the buffer
 * whether a further letter fits, and when it does not the buffer keeps the operation pending
 * instead (see {@link DeadLetters}). Letters recovered from a journal are all kept, even beyond
 * the capacity (a smaller {@code maxDeadLetters} after a restart must not lose any).
 */
final class DeadLetterStore<K, V> {
  private final int capacity;
  private final Map<K, DeadLetter<K, V>> letters = new HashMap<>();
  /**
   * The same letters by {@link DeadLetter#id}, the order they are listed in: a durable buffer's
   * ids are the letters' journal sequences, so that the list is in the same order before and
   * after a restart.
   */
  private final TreeMap<Long, DeadLetter<K, V>> byId = new TreeMap<>();
  /** The same letters, for reads without the lock (see {@link #lookup}). */
  private final Map<K, DeadLetter<K, V>> byKey = new ConcurrentHashMap<>();

  DeadLetterStore(int capacity) {
    this.capacity = capacity;
  }

  int capacity() {
    return capacity;
  }

  /** Adds a letter; returns the key's previous one, or {@code null}. */
  @Nullable DeadLetter<K, V> add(DeadLetter<K, V> letter) {
    DeadLetter<K, V> previous = letters.put(letter.key(), letter);
    if (previous != null) {
      byId.remove(previous.id);
    }
    byId.put(letter.id, letter);
    byKey.put(letter.key(), letter);
    return previous;
  }

  /**
   * The letter of a key, read without the buffer's lock: a key's letter is its newest state, so
   * reads of a key whose entry is gone from memory are answered from it (contract clause 7).
   */
  @Nullable DeadLetter<K, V> lookup(K key) {
    return byKey.isEmpty() ? null : byKey.get(key);
  }

  /** The letter of a key, or {@code null}. */
  @Nullable DeadLetter<K, V> get(K key) {
    return letters.get(key);
  }

  /** Removes the letter of a key; returns it, or {@code null} if it had none. */
  @Nullable DeadLetter<K, V> remove(K key) {
    byKey.remove(key);
    DeadLetter<K, V> removed = letters.remove(key);
    if (removed != null) {
      byId.remove(removed.id);
    }
    return removed;
  }

  int size() {
    return letters.size();
  }

  boolean isEmpty() {
    return letters.isEmpty();
  }

  List<DeadLetter<K, V>> list(int offset, int limit) {
    List<DeadLetter<K, V>> page = new ArrayList<>(Math.min(limit, Math.max(0, size() - offset)));
    Iterator<DeadLetter<K, V>> it = byId.values().iterator();
    for (int skipped = 0; skipped < offset && it.hasNext(); skipped++) {
      it.next();
    }
    while (it.hasNext() && page.size() < limit) {
      page.add(it.next());
    }
    return page;
  }

  /** The letters of {@code keys} (all of them if {@code null}), oldest first. */
  List<DeadLetter<K, V>> select(@Nullable Collection<? extends K> keys) {
    if (keys == null) {
      return new ArrayList<>(byId.values());
    }
    List<DeadLetter<K, V>> selected = new ArrayList<>();
    for (DeadLetter<K, V> letter : byId.values()) {
      if (keys.contains(letter.key())) {
        selected.add(letter);
      }
    }
    return selected;
  }

  /** The letters' keys, oldest first. */
  List<K> keys() {
    List<K> keys = new ArrayList<>(byId.size());
    byId.values().forEach(letter -> keys.add(letter.key()));
    return keys;
  }
}
