package dev.jotter;

import dev.jotter.writebehind.LocalCopy;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Other nodes' mutations, applied to this node's copy by a log shared between nodes. They take
 * the cache's one mutation path without reaching the writer ({@link EntryMutations#runUnwritten}),
 * so that they meet this node's own mutations of the key in its atomic section.
 */
final class RemoteMutations<K, V> implements LocalCopy<K, V> {
  private final CacheCore<K, V> c;
  private final EntryMutations<K, V> mutations;

  RemoteMutations(CacheCore<K, V> core, EntryMutations<K, V> mutations) {
    this.c = core;
    this.mutations = mutations;
  }

  @Override
  public boolean apply(K key, @Nullable V value, Mode mode, BooleanSupplier applies) {
    if (c.cache.isClosed()) {
      return false;
    }
    Object applied = mutations.runUnwritten(key, c.copyIn(key), (current, s) -> {
      s.result = Boolean.FALSE;
      if (!applies.getAsBoolean()) {
        return current;
      }
      s.result = Boolean.TRUE;
      if (mode == Mode.INVALIDATE) {
        return null;
      }
      if (value == null) {
        if (current != null) {
          c.dispatcher.publishRemoved(c.cache, key, current.value());
        }
        return null;
      }
      // deserialized from the log for this node alone: no one else holds it, no copy needed
      return current == null ? c.createdByLoad(key, value) : c.updatedUncounted(key, current, value);
    });
    return Boolean.TRUE.equals(applied);
  }

}
