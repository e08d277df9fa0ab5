package dev.jotter.writebehind;

import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.writer.WriterRoute;
import java.util.Collection;
import java.util.Map;

/**
 * The writer route of a write-behind cache: mutations go to the {@link WriteBehindBuffer}, which
 * writes them later. Bulk operations go key by key; the buffer batches across everything pending.
 */
public final class WriteBehindRoute<K, V> implements WriteBehindLog<K, V> {

  private final WriteBehindBuffer<K, V> buffer;

  /** @param buffer the cache's buffer, owned by this route from now on */
  public WriteBehindRoute(WriteBehindBuffer<K, V> buffer) {
    this.buffer = buffer;
  }

  /** Returns the buffer, for statistics, flushing and dead letters. */
  public WriteBehindBuffer<K, V> buffer() {
    return buffer;
  }

  @Override
  public Ticket admit(K key) {
    return buffer.reserve(key);
  }

  /**
   * All at once under {@code FAIL} and {@code WRITE_THROUGH}, which never wait for a slot. Not under
   * {@code BLOCK}: a bulk call holding some slots while it waits for more could wait for another
   * bulk call that does the same; it waits key by key, holding nothing, instead.
   */
  @Override
  public boolean admitsBulkAtOnce() {
    return buffer.overflowPolicy() != OverflowPolicy.BLOCK;
  }

  @Override
  public void write(Ticket ticket, K key, V value) {
    buffer.write((Reservation) ticket, key, value);
  }

  @Override
  public void delete(Ticket ticket, K key) {
    buffer.delete((Reservation) ticket, key);
  }

  @Override
  public void release(Ticket ticket) {
    buffer.release((Reservation) ticket);
  }




  @Override
  public Pending<V> pending(K key) {
    return buffer.pending(key);
  }

  @Override
  public void close() {
    buffer.close();
  }

  @Override
  public void beginClose() {
    buffer.beginClose();
  }

  @Override
  public String cacheName() {
    return buffer.cacheName();
  }

  @Override
  public FlushResult flush(java.time.Duration timeout) {
    return buffer.flush(timeout);
  }

  @Override
  public WriteBehindStatistics statistics() {
    return buffer.statistics();
  }

  @Override
  public DeadLetters<K, V> deadLetters() {
    return buffer.deadLetters();
  }

  @Override
  public KeyStatus<K, V> status(K key) {
    return buffer.status(key);
  }
}
