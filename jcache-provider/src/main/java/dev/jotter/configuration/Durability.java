package dev.jotter.configuration;

/** How pending write-behind operations survive a crash of the process. */
public enum Durability {
  /** Memory only: a crash loses pending operations. */
  NONE,
  /** A journal on disk, fsync'd in groups at most every {@code syncInterval}. */
  ASYNC,
  /** A journal on disk, fsync'd before the mutation is acknowledged. */
  SYNC
}
