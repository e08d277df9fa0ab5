package dev.jotter.configuration;

/** The {@link System#nanoTime()} ticker; an enum so that it stays a serializable singleton. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }
}
