package dev.jotter.processor;

import java.util.Objects;
import java.util.function.Function;
import javax.cache.processor.MutableEntry;
import org.jspecify.annotations.Nullable;

/**
 * The entry an {@code EntryProcessor} works on. It records what the processor did, as one
 * {@link Action}, which the cache applies afterwards in the same atomic section: until then nothing
 * in the cache changes, so a processor that throws leaves the entry as it was.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class EntryProcessorEntry<K, V> implements MutableEntry<K, V> {

  /** What a processor did to its entry, as far as the cache needs to know. */
  public enum Action {
    /** Nothing observable: no read, no change. */
    NONE,
    /** Read an existing value: an access. */
    READ,
    /** Read a value the loader loaded (read-through): stored as a creation, not written. */
    LOADED,
    /** Set a value on an entry that did not exist. */
    CREATED,
    /** Set a value on an entry that existed. */
    UPDATED,
    /** Removed the entry. */
    DELETED
  }

  private final K key;
  private final @Nullable V original;
  private final @Nullable Function<K, @Nullable V> loader;
  private @Nullable V value;
  private Action action = Action.NONE;

  /**
   * @param key the entry's key
   * @param original the current value, or null if the entry is absent
   * @param loader loads an absent value on {@link #getValue()} (read-through), or null
   */
  public EntryProcessorEntry(K key, @Nullable V original,
      @Nullable Function<K, @Nullable V> loader) {
    this.key = key;
    this.original = original;
    this.value = original;
    this.loader = loader;
  }

  @Override
  public K getKey() {
    return key;
  }

  /** Returns the value, loading it on a miss (read-through), or null if the entry is absent. */
  @Override
  public @Nullable V getValue() {
    if (action == Action.NONE) {
      if (original != null) {
        action = Action.READ;
      } else if (loader != null) {
        value = loader.apply(key);
        if (value != null) {
          action = Action.LOADED;
        }
      }
    }
    return value;
  }

  @Override
  public boolean exists() {
    return value != null;
  }

  @Override
  public void remove() {
    // removing what this processor created (or loaded) leaves the cache as it found it
    action = (action == Action.CREATED || action == Action.LOADED) && original == null
        ? Action.NONE
        : Action.DELETED;
    value = null;
  }

  @Override
  public void setValue(V newValue) {
    Objects.requireNonNull(newValue, "MutableEntry.setValue(null) is not allowed: use remove()");
    action = original == null ? Action.CREATED : Action.UPDATED;
    value = newValue;
  }

  /** Returns what the processor did. */
  public Action action() {
    return action;
  }

  /** Returns the value the entry has now: set, loaded, original, or null. */
  public @Nullable V currentValue() {
    return value;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("A MutableEntry unwraps to "
        + EntryProcessorEntry.class.getName() + " or its supertypes, not to " + clazz.getName());
  }
}
