package dev.jotter.writer;

import javax.cache.integration.CacheWriter;

/** Chooses the route for a cache's configuration. */
public final class WriterRoutes {

  private WriterRoutes() {}

  /** Returns the route of a cache that has no writer or does not write through. */
  @SuppressWarnings("unchecked")
  public static <K, V> WriterRoute<K, V> none() {
    return (WriterRoute<K, V>) NoWriter.INSTANCE;
  }

  /** Returns a synchronous write-through route to {@code writer}. */
  public static <K, V> WriterRoute<K, V> writeThrough(CacheWriter<? super K, ? super V> writer) {
    return new WriteThrough<>(writer);
  }
}
