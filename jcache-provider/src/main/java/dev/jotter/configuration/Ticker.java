package dev.jotter.configuration;

/**
 * A source of nanosecond time, read by every part of a cache that measures time: expiry, write-behind
 * delays, back-off and statistics.
 *
 * <p>Injecting one (through {@link JotterConfiguration#setTickerFactory}) lets tests drive time instead
 * of sleeping. Values only have meaning relative to each other, like {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

  /** {@return the current time in nanoseconds, from an arbitrary origin} */
  long read();

  /** {@return the ticker backed by {@link System#nanoTime()}} */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
