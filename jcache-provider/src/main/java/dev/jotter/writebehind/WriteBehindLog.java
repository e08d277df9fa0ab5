package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;

/**
 * Where a write-behind cache keeps its pending operations and how they reach the writer: the
 * cache's own buffer with its local journal ({@link WriteBehindRoute}), or a log that another
 * module provides through a {@link WriteBehindLogFactory}, such as a replicated Kafka topic drained
 * by a consumer group.
 *
 * <p>As a {@link WriterRoute} it receives every mutation of the cache in the key's atomic section
 * and must keep the write-behind contract for it: {@link #admit} applies the overflow policy
 * before the cache changes; {@link #write}/{@link #delete} are cheap and keep the order of the
 * calls per key; {@link #release} returns only when the operation is as durable as the cache's
 * {@code durability} promises; {@link #pending} answers reads of keys whose operations are not
 * confirmed yet (contract clause 7). As a {@link WriteBehind} it serves operators.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface WriteBehindLog<K, V> extends WriterRoute<K, V>, WriteBehind<K, V> {

  @Override
  default boolean isWriteBehind() {
    return true;
  }

  /**
   * Write-behind bulk operations go key by key through {@link #write}; never called.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  default RuntimeException writeAll(java.util.Map<K, V> entries) {
    throw new UnsupportedOperationException("write-behind routes bulk writes key by key");
  }

  /**
   * Write-behind bulk operations go key by key through {@link #delete}; never called.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  default RuntimeException deleteAll(java.util.Collection<K> keys) {
    throw new UnsupportedOperationException("write-behind routes bulk deletes key by key");
  }

  /**
   * Hands the log this node's copy of the cache, once, after the cache is built and before its
   * first operation. A log shared by several nodes keeps it to apply the other nodes' mutations
   * (see {@link LocalCopy}); the default ignores it.
   *
   * @param copy this node's copy of the cache
   */
  default void attach(LocalCopy<K, V> copy) {}

  /**
   * Starts closing without waiting: no new mutations, everything pending sent now, the drain
   * timeout starting. {@link #close()} then waits. Lets all caches drain at the same time at JVM
   * shutdown.
   */
  void beginClose();
}
