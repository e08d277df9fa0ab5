package dev.jotter.journal;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The journal that keeps nothing; all its sequence numbers are 0, as there is nothing to order. */
enum NoJournal implements Journal<Object, Object> {
  INSTANCE;

  @Override
  public long appendWrite(Object key, Object value) {
    return 0;
  }

  @Override
  public long appendDelete(Object key) {
    return 0;
  }

  @Override
  public long appendDead(Object key, @Nullable Object value, DeadMark mark) {
    return 0;
  }

  @Override
  public void awaitDurable(long sequence) {}

  @Override
  public void markDone(long sequence) {}

  @Override
  public void replay(Consumer<JournalRecord<Object, Object>> sink) {}

  @Override
  public void close() {}
}
