package dev.jotter.journal;

import org.jspecify.annotations.Nullable;

/**
 * An operation of the journal that is not finished: where its record lives, and its key once
 * known (for the per-key rule). Guarded by the journal's append lock.
 */
final class Unfinished<K> {
  final long sequence;
  final int frameSize;
  Segment segment;
  /** The key, null until known: for a record found at start-up, until replay reads it back. */
  @Nullable K key;
  /** The bytes read at start-up, until replay hands them over; else null. */
  byte @Nullable [] keyBytes;
  byte @Nullable [] valueBytes;
  /** The dead-letter mark read at start-up, for a dead letter; else null. */
  byte @Nullable [] markBytes;
  boolean delete;

  Unfinished(long sequence, int frameSize, Segment segment) {
    this.sequence = sequence;
    this.frameSize = frameSize;
    this.segment = segment;
  }
}
