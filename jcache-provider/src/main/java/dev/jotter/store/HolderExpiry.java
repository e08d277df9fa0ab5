package dev.jotter.store;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * Tells Caffeine when a holder expires: the deadline the cache computed from its JCache
 * {@code ExpiryPolicy}. The JCache policy is never called from here, because the TCK counts its calls
 * per operation exactly and Caffeine may consult an {@link Expiry} more than once.
 */
final class HolderExpiry<K, V> implements Expiry<K, ValueHolder<V>> {

  @Override
  public long expireAfterCreate(K key, ValueHolder<V> holder, long now) {
    return holder.remainingNanos(now);
  }

  @Override
  public long expireAfterUpdate(K key, ValueHolder<V> holder, long now, long currentDuration) {
    return holder.remainingNanos(now);
  }

  @Override
  public long expireAfterRead(K key, ValueHolder<V> holder, long now, long currentDuration) {
    return currentDuration;
  }
}
