package dev.jotter.writer;

import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The route of a cache that does not write through: every call is a no-op. */
final class NoWriter<K, V> implements WriterRoute<K, V> {

  @SuppressWarnings("rawtypes")
  static final NoWriter INSTANCE = new NoWriter();

  @Override
  public @Nullable Ticket admit(K key) {
    return null;
  }

  @Override
  public void write(@Nullable Ticket ticket, K key, V value) {}

  @Override
  public void delete(@Nullable Ticket ticket, K key) {}

  @Override
  public void release(@Nullable Ticket ticket) {}

  @Override
  public boolean isWriteBehind() {
    return false;
  }

  @Override
  public @Nullable RuntimeException writeAll(Map<K, V> entries) {
    return null;
  }

  @Override
  public @Nullable RuntimeException deleteAll(Collection<K> keys) {
    return null;
  }
}
