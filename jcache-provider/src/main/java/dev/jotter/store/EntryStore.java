package dev.jotter.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.Ticker;
import dev.jotter.configuration.Weigher;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The entries of one cache, held by Caffeine: bounded size or weight, eviction and expiry all come
 * from Caffeine. Each key's mutations run inside {@link #compute}, Caffeine's per-key atomic section,
 * which is where the cache calls its writer route, so that per-key order is the order of these
 * sections.
 *
 * <p>Caffeine runs its maintenance (expiry, eviction) on the calling thread, so that an entry that
 * expired is removed, and its {@code EXPIRED} event raised, during the operation that noticed it
 * rather than at some later time on a pool thread.
 *
 * <p>A cache that is neither bounded nor expiring gets Caffeine's unbounded map, which has no
 * maintenance at all: the default JCache configuration costs what a {@code ConcurrentHashMap} costs.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class EntryStore<K, V> {

  /** Receives entries that Caffeine removed on its own: expired or evicted for capacity. */
  public interface EvictionSink<K, V> {
    /**
     * Called inside the key's atomic section.
     *
     * @param expired true if the entry expired, false if it was evicted for capacity
     */
    void evicted(K key, V value, boolean expired);
  }

  private final Cache<K, ValueHolder<V>> cache;
  private final ConcurrentMap<K, ValueHolder<V>> map;
  private final Ticker ticker;

  /**
   * Builds the Caffeine map for a configuration.
   *
   * @param expiring false if no entry ever expires (the eternal policy)
   */
  public EntryStore(JotterConfiguration<K, V> config, Ticker ticker, boolean expiring,
      EvictionSink<K, V> sink) {
    this.ticker = ticker;
    boolean bounded = config.getMaximumSize().isPresent() || config.getMaximumWeight().isPresent();
    if (!bounded && !expiring) {
      this.cache = Caffeine.newBuilder().build();
      this.map = cache.asMap();
      return;
    }
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        .executor(Runnable::run)
        .ticker(ticker::read);
    config.getMaximumSize().ifPresent(builder::maximumSize);
    if (config.getMaximumWeight().isPresent()) {
      @SuppressWarnings("unchecked")
      Weigher<? super K, ? super V> weigher =
          (Weigher<? super K, ? super V>) Objects.requireNonNull(config.getWeigherFactory(),
              "a maximum weight comes with its weigher factory").create();
      builder.maximumWeight(config.getMaximumWeight().getAsLong());
      builder.<K, ValueHolder<V>>weigher((k, holder) -> weigher.weigh(k, holder.value()));
    }
    if (expiring) {
      builder.expireAfter(new HolderExpiry<K, V>());
    }
    this.cache = builder
        .<K, ValueHolder<V>>evictionListener((key, holder, cause) -> {
          if (key != null && holder != null && cause.wasEvicted()) {
            sink.evicted(key, holder.value(), cause == RemovalCause.EXPIRED);
          }
        })
        .build();
    this.map = cache.asMap();
  }

  /** Returns the current ticker time. */
  public long now() {
    return ticker.read();
  }

  /** Returns the live holder of a key, or null; an expired holder is never returned. */
  public @Nullable ValueHolder<V> get(K key) {
    return cache.getIfPresent(key);
  }

  /** Returns the live holder of a key without counting an access, or null. */
  public @Nullable ValueHolder<V> peek(K key) {
    return cache.policy().getIfPresentQuietly(key);
  }

  /**
   * Runs {@code remapping} inside the key's atomic section; it receives the live holder or null, and
   * returns the new holder or null to remove the entry. An exception leaves the entry unchanged.
   *
   * @return the new holder, or null if the key has no entry now
   */
  public @Nullable ValueHolder<V> compute(K key, BiFunction<? super K,
      ? super @Nullable ValueHolder<V>, ? extends @Nullable ValueHolder<V>> remapping) {
    return map.compute(key, remapping);
  }

  /** Like {@link #compute}, but only when the key has a live entry; returns the new holder or null. */
  public @Nullable ValueHolder<V> computeIfPresent(K key,
      BiFunction<? super K, ? super ValueHolder<V>, ? extends @Nullable ValueHolder<V>> remapping) {
    return map.computeIfPresent(key, remapping);
  }

  /** Iterates over the live entries; weakly consistent. */
  public Iterator<Map.Entry<K, ValueHolder<V>>> iterator() {
    return map.entrySet().iterator();
  }

  /** Returns the keys of the live entries; a weakly consistent view. */
  public Iterable<K> keys() {
    return map.keySet();
  }

  /** Returns the approximate number of entries. */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** Removes every entry without raising events or reaching a writer ({@code Cache.clear()}). */
  public void clear() {
    map.clear();
  }

  /** Runs Caffeine's pending maintenance now: expired entries are removed and reported. */
  public void cleanUp() {
    cache.cleanUp();
  }
}
