package dev.jotter.configuration;

/** How pending write-behind operations survive a crash. */
public enum Durability {
  /** Memory only: a crash loses pending operations. */
  NONE,
  /**
   * A journal on disk: each record is written to the operating system before the mutation is
   * acknowledged and fsync'd in groups at most every {@code syncInterval}. A process crash loses
   * no acknowledged mutation; an operating-system crash or power loss loses at most those of the
   * last {@code syncInterval} (plus one fsync's duration).
   */
  ASYNC,
  /** A journal on disk, fsync'd before the mutation is acknowledged: no crash loses it. */
  SYNC
}
