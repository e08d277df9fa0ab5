package dev.jotter.writebehind;

import static java.util.Objects.requireNonNull;

import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.writer.WriterRoute;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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

  /** Always a {@link Reservation}: the tickets this route gets back are never null. */
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
  public void write(@Nullable Ticket ticket, K key, V value) {
    buffer.write(reservation(ticket), key, value);
  }

  @Override
  public void delete(@Nullable Ticket ticket, K key) {
    buffer.delete(reservation(ticket), key);
  }

  @Override
  public void release(@Nullable Ticket ticket) {
    buffer.release(reservation(ticket));
  }

  /** The ticket {@link #admit} gave, which is never null. */
  private static Reservation reservation(@Nullable Ticket ticket) {
    return (Reservation) requireNonNull(ticket, "ticket");
  }




  @Override
  public @Nullable Pending<V> pending(K key) {
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
