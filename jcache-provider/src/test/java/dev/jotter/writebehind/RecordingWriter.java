package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A writer that records every call and can fail on demand: the next N calls as a whole, or the
 * calls that hold a poison key (as a whole, or partially by leaving only the poison in the
 * collection, as the JCache rule says). It also records if a key ever was in two calls at once.
 */
final class RecordingWriter implements CacheWriter<String, String> {
  /** One writer call: kind is writeAll, deleteAll, write or delete; values are null for deletes. */
  record Call(String kind, List<String> keys, List<String> values, long at) {}

  final Map<String, String> store = new ConcurrentHashMap<>();
  final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
  /** Per key, what reached the store: "=value" or "deleted". */
  final Map<String, List<String>> history = new ConcurrentHashMap<>();
  /** Per key, when each entry of {@link #history} reached the store (ticker time). */
  final Map<String, List<Long>> historyAt = new ConcurrentHashMap<>();
  final Set<String> overlaps = ConcurrentHashMap.newKeySet();
  final AtomicInteger failNextCalls = new AtomicInteger();
  volatile Predicate<String> poison = key -> false;
  /** Values the writer refuses as it refuses poison keys. */
  volatile Predicate<String> poisonValue = value -> false;
  volatile boolean poisonFailsWholeCall;
  volatile Consumer<Call> onCall = call -> {};

  private final Ticker ticker;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  RecordingWriter(Ticker ticker) {
    this.ticker = ticker;
  }

  @Override
  public void write(Cache.Entry<? extends String, ? extends String> entry) {
    List<Cache.Entry<? extends String, ? extends String>> one = new ArrayList<>(List.of(entry));
    run("write", one, Cache.Entry::getKey, e -> e.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    run("writeAll", entries, Cache.Entry::getKey, e -> e.getValue());
  }

  @Override
  public void delete(Object key) {
    List<Object> one = new ArrayList<>(List.of(key));
    run("delete", one, k -> (String) k, k -> null);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    run("deleteAll", keys, k -> (String) k, k -> null);
  }

  /**
   * When the store first held {@code state} ({@code "=value"} or {@code "deleted"}) for the key at
   * or after ticker time {@code after}; -1 if it never did.
   */
  long writtenAt(String key, String state, long after) {
    List<String> states = historyOf(key);
    List<Long> times = historyAt.getOrDefault(key, List.of());
    synchronized (states) {
      for (int i = 0; i < states.size(); i++) {
        if (states.get(i).equals(state) && times.get(i) >= after) {
          return times.get(i);
        }
      }
    }
    return -1;
  }

  List<String> historyOf(String key) {
    return history.getOrDefault(key, List.of());
  }

  List<List<String>> callKeys() {
    synchronized (calls) {
      return calls.stream().map(Call::keys).toList();
    }
  }

  List<Call> callsWith(String key) {
    synchronized (calls) {
      return calls.stream().filter(call -> call.keys().contains(key)).toList();
    }
  }

  private <T> void run(String kind, Collection<T> items, Function<T, String> keyOf,
      Function<T, String> valueOf) {
    List<String> keys = items.stream().map(keyOf).toList();
    List<String> values = items.stream().map(valueOf).toList();
    Call call = new Call(kind, keys, values, ticker.read());
    calls.add(call);
    for (String key : keys) {
      if (!inFlight.add(key)) {
        overlaps.add(key);
      }
    }
    try {
      onCall.accept(call);
      if (failNextCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new CacheWriterException("database unavailable");
      }
      boolean poisoned = keys.stream().anyMatch(poison)
          || values.stream().anyMatch(value -> value != null && poisonValue.test(value));
      if (poisoned && poisonFailsWholeCall) {
        throw new CacheWriterException("batch rejected");
      }
      for (Iterator<T> it = items.iterator(); it.hasNext();) {
        T item = it.next();
        String key = keyOf.apply(item);
        String value = valueOf.apply(item);
        if (!poison.test(key) && !(value != null && poisonValue.test(value))) {
          // history first: a test that waits for the store to change then reads the history
          history.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
              .add(value == null ? "deleted" : "=" + value);
          historyAt.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
              .add(ticker.read());
          if (value == null) {
            store.remove(key);
          } else {
            store.put(key, value);
          }
          it.remove();
        }
      }
      if (poisoned) {
        throw new CacheWriterException("poison left in the collection");
      }
    } finally {
      inFlight.removeAll(keys);
    }
  }
}
