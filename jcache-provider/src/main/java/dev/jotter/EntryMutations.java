package dev.jotter;

import dev.jotter.processor.EntryProcessorEntry;
import dev.jotter.store.ValueHolder;
import dev.jotter.writer.WriterRoute;
import dev.jotter.writer.WriterRoute.Ticket;
import java.util.Objects;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import org.jspecify.annotations.Nullable;

/**
 * The one way a key of a cache changes. Every mutation — put, putIfAbsent, replace, remove, their
 * get-and and conditional forms, invoke, and each key of putAll, removeAll and invokeAll — is a
 * {@link Mutation} run by {@link #run}:
 * <ol>
 *   <li><b>admit</b>: the writer route reserves what the mutation needs; write-behind applies its
 *       overflow policy here, so a refusal leaves the cache unchanged (contract clause 8);
 *   <li><b>the key's atomic section</b> ({@code EntryStore.compute}): the mutation decides, from
 *       the key's live entry, what the entry becomes, and reaches the writer through its
 *       {@link Section} — {@link Section#write} or {@link Section#delete}, the only calls of the
 *       route's {@code write} and {@code delete} in the provider — before statistics and events
 *       change, so a writer (or processor) exception leaves the entry, statistics and listeners
 *       untouched, and the route sees a key's operations in the order the cache applied them
 *       (clause 2);
 *   <li><b>release</b>, in a {@code finally} block: what the admission reserved and did not use
 *       goes back, and a {@code SYNC} journal is awaited, after the section, so no key's section
 *       waits for a disk.
 * </ol>
 * Bulk mutations admit their keys at once ({@link #runAdmitted}, see {@link BulkMutations});
 * write-through bulk mutations hand the writer one batch first and then apply what it confirmed
 * without reaching it again ({@link #runUnwritten}).
 */
final class EntryMutations<K, V> {
  private final CacheCore<K, V> c;

  EntryMutations(CacheCore<K, V> core) {
    this.c = core;
  }

  /** What one mutation does inside its key's atomic section. */
  @FunctionalInterface
  interface Mutation<K, V> {
    /**
     * @param current the key's live entry, or {@code null}
     * @return what the entry becomes: {@code current} to keep it, {@code null} to remove it
     */
    @Nullable ValueHolder<V> apply(@Nullable ValueHolder<V> current, Section<K, V> section);
  }

  /** A mutation's hold on its key's atomic section: the writer, and what to return. */
  static final class Section<K, V> {
    final K key;
    private final WriterRoute<K, V> route;
    private final @Nullable Ticket ticket;
    private final boolean writes;
    /** What the cache operation returns (the old value, whether it changed, a result), or null. */
    @Nullable Object result;

    Section(K key, WriterRoute<K, V> route, @Nullable Ticket ticket, boolean writes) {
      this.key = key;
      this.route = route;
      this.ticket = ticket;
      this.writes = writes;
    }

    /** The mutation writes {@code value}: the writer route gets it now, in the key's section. */
    void write(V value) {
      if (writes) {
        route.write(ticket, key, value);
      }
    }

    /** The mutation deletes the key: the writer route gets it now, in the key's section. */
    void delete() {
      if (writes) {
        route.delete(ticket, key);
      }
    }
  }

  /**
   * Runs one mutation of {@code key}: admit, the key's atomic section, release.
   *
   * @param storedKey the key as the store holds it (a copy under store-by-value)
   * @return the section's result
   */
  @Nullable Object run(K key, K storedKey, Mutation<K, V> mutation) {
    Ticket ticket = c.route.admit(key);
    try {
      return runAdmitted(ticket, key, storedKey, mutation);
    } finally {
      c.route.release(ticket);
    }
  }

  /** {@link #run} for a key the route has admitted already (a bulk mutation's). */
  @Nullable Object runAdmitted(@Nullable Ticket ticket, K key, K storedKey,
      Mutation<K, V> mutation) {
    return section(new Section<>(key, c.route, ticket, true), storedKey, mutation);
  }

  /** Applies a mutation that the writer has confirmed already (write-through bulk calls). */
  @Nullable Object runUnwritten(K key, K storedKey, Mutation<K, V> mutation) {
    return section(new Section<>(key, c.route, null, false), storedKey, mutation);
  }

  private @Nullable Object section(Section<K, V> section, K storedKey, Mutation<K, V> mutation) {
    c.store.compute(storedKey, (k, current) -> mutation.apply(current, section));
    return section.result;
  }

  /* ---------------- The mutations ---------------- */

  /**
   * Stores {@code stored} (the copy the cache keeps, made before anything is written, so a value
   * that cannot be copied never reaches the writer); the result is the replaced value.
   *
   * @param countAccess whether the lookup is a hit or a miss ({@code getAndPut})
   */
  Mutation<K, V> put(K key, V value, V stored, boolean countAccess) {
    return (current, s) -> {
      s.write(value);
      if (countAccess) {
        c.recordAccess(current != null);
      }
      if (current == null) {
        return c.created(key, stored);
      }
      s.result = current.value();
      return c.updated(key, current, stored);
    };
  }

  /** Stores the value if the key is absent; the result is whether it did. */
  Mutation<K, V> putIfAbsent(K key, V value, V stored) {
    return (current, s) -> {
      if (current != null) {
        c.statistics.recordHits(1);
        s.result = Boolean.FALSE;
        return current;
      }
      s.write(value);
      c.statistics.recordMisses(1);
      s.result = Boolean.TRUE;
      return c.created(key, stored);
    };
  }

  /**
   * Replaces the value of a present key; the result is the replaced value, or {@code null} if
   * the key was absent (then nothing reaches the writer).
   */
  Mutation<K, V> replace(K key, V value) {
    return (current, s) -> {
      if (current == null) {
        return null;
      }
      s.result = current.value();
      V stored = c.copyIn(value);
      s.write(value);
      return c.updated(key, current, stored);
    };
  }

  /**
   * Replaces the value of a present key that holds {@code oldValue}; the result is
   * {@link Boolean#TRUE} if it did, {@link Boolean#FALSE} if the key held another value, and
   * {@code null} if it was absent.
   */
  Mutation<K, V> replaceIfEquals(K key, V oldValue, V newValue) {
    return (current, s) -> {
      if (current == null) {
        return null;
      }
      if (!current.value().equals(oldValue)) {
        s.result = Boolean.FALSE;
        return c.accessed(current);
      }
      s.result = Boolean.TRUE;
      V stored = c.copyIn(newValue);
      s.write(newValue);
      return c.updated(key, current, stored);
    };
  }

  /**
   * Removes the key; the writer gets the delete even if the key is absent (the JCache
   * write-through rule). The result is the removed value, or {@code null}.
   */
  Mutation<K, V> remove(K key) {
    return (current, s) -> {
      s.delete();
      if (current != null) {
        s.result = current.value();
        c.removed(key, current);
      }
      return null;
    };
  }

  /** Removes the key if it holds {@code oldValue}; the result is whether it did. */
  Mutation<K, V> removeIfEquals(K key, V oldValue) {
    return (current, s) -> {
      s.result = Boolean.FALSE;
      if (current == null) {
        c.statistics.recordMisses(1);
        return null;
      }
      c.statistics.recordHits(1);
      if (!current.value().equals(oldValue)) {
        return c.accessed(current);
      }
      s.delete();
      s.result = Boolean.TRUE;
      c.removed(key, current);
      return null;
    };
  }

  /**
   * Runs an entry processor on the key and applies what it did; the result is the processor's.
   * The processor sees a copy of the value; a value it sets reaches the writer, a value it only
   * loaded does not.
   */
  <T> Mutation<K, V> invoke(K key, EntryProcessor<K, V, T> processor, Object[] arguments,
      ReadThrough<K, V> reads) {
    return (current, s) -> {
      c.recordAccess(current != null);
      EntryProcessorEntry<K, V> entry = new EntryProcessorEntry<>(key,
          (current == null) ? null : c.copyOut(current.value()),
          c.loadsOnMiss() ? reads::load : null);
      try {
        s.result = processor.process(entry, arguments);
      } catch (EntryProcessorException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new EntryProcessorException(e);
      }
      return processed(key, current, entry, s);
    };
  }

  private @Nullable ValueHolder<V> processed(K key, @Nullable ValueHolder<V> current,
      EntryProcessorEntry<K, V> entry, Section<K, V> s) {
    switch (entry.action()) {
      case NONE:
        return current;
      case READ:
        return c.accessed(existing(current));
      case LOADED:
        return c.createdByLoad(key, c.copyIn(Objects.requireNonNull(entry.currentValue(),
            "a LOADED entry holds the loaded value")));
      case CREATED: {
        V value = c.cache.requireValue(entry.currentValue());
        V stored = c.copyIn(value);
        s.write(value);
        return c.created(key, stored);
      }
      case UPDATED: {
        V value = c.cache.requireValue(entry.currentValue());
        V stored = c.copyIn(value);
        s.write(value);
        return c.updated(key, existing(current), stored);
      }
      case DELETED:
        s.delete();
        if (current != null) {
          c.removed(key, current);
        }
        return null;
      default:
        throw new AssertionError(entry.action());
    }
  }

  /** The entry a processor read or updated: only an existing one's value is READ or UPDATED. */
  private static <V> ValueHolder<V> existing(@Nullable ValueHolder<V> current) {
    return Objects.requireNonNull(current, "a processor read or updated an absent entry");
  }
}
