package dev.jotter;

import dev.jotter.writer.WriterRoute.Ticket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import org.jspecify.annotations.Nullable;

/**
 * {@code putAll}, {@code removeAll} and {@code invokeAll}: each key through
 * {@link EntryMutations}, admitted the way the writer route asks.
 *
 * <ul>
 *   <li><b>Write-through</b>: the writer gets one batch ({@code writeAll}/{@code deleteAll})
 *       before the cache changes; the cache then applies exactly the entries the writer confirmed
 *       (JCache's partial-failure rule) and rethrows its failure.
 *   <li><b>Write-behind, FAIL or WRITE_THROUGH overflow</b>: every key is admitted or none,
 *       before the cache changes (contract clause 8); one key larger than the buffer is refused
 *       at once.
 *   <li><b>Write-behind, BLOCK overflow</b>: key by key, each waiting for its own room and holding
 *       none while it waits, so two bulk calls cannot wait for each other; a timeout leaves the
 *       earlier keys applied.
 * </ul>
 */
final class BulkMutations<K, V> {
  private final CacheCore<K, V> c;
  private final EntryMutations<K, V> mutations;
  private final ReadThrough<K, V> reads;

  BulkMutations(CacheCore<K, V> core, EntryMutations<K, V> mutations, ReadThrough<K, V> reads) {
    this.c = core;
    this.mutations = mutations;
    this.reads = reads;
  }

  void putAll(Map<? extends K, ? extends V> map) {
    Map<K, V> entries = new LinkedHashMap<>(map);
    // copy everything first: a value that cannot be copied must fail the call before any write
    Map<K, V> copies = new HashMap<>(entries.size());
    entries.forEach((key, value) -> copies.put(key, c.copyIn(value)));
    if (!c.writeBehind) {
      RuntimeException failure = c.route.writeAll(entries);
      entries.forEach((key, value) -> mutations.runUnwritten(key, c.copyIn(key),
          mutations.put(key, value, valueOf(copies, key), false)));
      if (failure != null) {
        throw failure;
      }
      return;
    }
    eachAdmitted(entries.keySet(), (ticket, key) -> mutations.runAdmitted(ticket, key,
        c.copyIn(key), mutations.put(key, valueOf(entries, key), valueOf(copies, key), false)),
        null);
  }

  /** The value of a key of the call in one of its maps, which hold every key and no null. */
  private static <K, V> V valueOf(Map<K, V> map, K key) {
    return Objects.requireNonNull(map.get(key), "a key of the call has no value");
  }

  void removeAll(Collection<K> keys) {
    if (!c.writeBehind) {
      RuntimeException failure = c.route.deleteAll(keys);
      keys.forEach(key -> mutations.runUnwritten(key, key, mutations.remove(key)));
      if (failure != null) {
        throw failure;
      }
      return;
    }
    eachAdmitted(keys, (ticket, key) -> mutations.runAdmitted(ticket, key, key,
        mutations.remove(key)), null);
  }

  <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys,
      EntryProcessor<K, V, T> processor, Object[] arguments) {
    Map<K, EntryProcessorResult<T>> results = new HashMap<>(keys.size());
    // a key's failure, its processor's or its admission's, is that key's result
    KeyFailure<K> failed = (key, e) -> {
      EntryProcessorException failure = (e instanceof EntryProcessorException)
          ? (EntryProcessorException) e : new EntryProcessorException(e);
      results.put(key, () -> {
        throw failure;
      });
    };
    eachAdmitted(new ArrayList<>(keys), (ticket, key) -> {
      try {
        @SuppressWarnings("unchecked")
        T result = (T) mutations.runAdmitted(ticket, key, c.copyIn(key),
            mutations.invoke(key, processor, arguments, reads));
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (RuntimeException e) {
        failed.accept(key, e);
      }
      return null;
    }, failed);
    return results;
  }

  /** What a bulk call does with one key's failure. */
  @FunctionalInterface
  private interface KeyFailure<K> {
    void accept(K key, RuntimeException failure);
  }

  /** One key of a bulk call, admitted ({@code ticket} may be {@code null} for write-through). */
  @FunctionalInterface
  private interface KeyStep<K> {
    @Nullable Object apply(@Nullable Ticket ticket, K key);
  }

  /**
   * Runs {@code step} for each key with its ticket: all admitted at once where the route can.
   *
   * @param admissionFailed takes a key's admission failure when keys are admitted one by one;
   *     {@code null}: the failure ends the call
   */
  private void eachAdmitted(Collection<K> keys, KeyStep<K> step,
      @Nullable KeyFailure<K> admissionFailed) {
    if (!c.route.admitsBulkAtOnce()) {
      for (K key : keys) {
        Ticket ticket;
        try {
          ticket = c.route.admit(key);
        } catch (RuntimeException e) {
          if (admissionFailed == null) {
            throw e;
          }
          admissionFailed.accept(key, e);
          continue;
        }
        try {
          step.apply(ticket, key);
        } finally {
          c.route.release(ticket);
        }
      }
      return;
    }
    List<@Nullable Ticket> tickets = c.route.admitAll(keys);
    try {
      Iterator<@Nullable Ticket> ticket = tickets.iterator();
      for (K key : keys) {
        step.apply(ticket.next(), key);
      }
    } finally {
      c.route.releaseAll(tickets);
    }
  }
}
