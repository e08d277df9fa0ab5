package dev.jotter;

import dev.jotter.journal.Journal;
import javax.cache.Cache;

/** What tests of other packages may look at inside a cache, through package-private accessors. */
public final class Internals {
  private Internals() {}

  /** The journal of a cache's own write-behind buffer; {@link Journal#none()} without one. */
  public static Journal<?, ?> journalOf(Cache<?, ?> cache) {
    return cache.unwrap(JotterCache.class).resources().journal();
  }
}
