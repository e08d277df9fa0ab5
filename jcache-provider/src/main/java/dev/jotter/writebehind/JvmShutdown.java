package dev.jotter.writebehind;

/**
 * Whether the JVM is shutting down, as far as Jotter's shutdown hook knows. While it is, reports
 * of operations that could not be written go to standard error as well as to the log: logging
 * frameworks stop in their own shutdown hooks, at the same time as Jotter's, and a report that
 * reaches nobody is a silent loss.
 *
 * <p>Not an API for applications; public only so that the provider's hook can set it.
 */
public final class JvmShutdown {
  private static volatile boolean started;

  private JvmShutdown() {}

  /** Called by the provider's shutdown hook. */
  public static void begin() {
    started = true;
  }

  /** Whether the provider's shutdown hook has started. */
  public static boolean inProgress() {
    return started;
  }
}
