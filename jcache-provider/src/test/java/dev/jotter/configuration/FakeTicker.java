package dev.jotter.configuration;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.configuration.Factory;

/**
 * A ticker that only moves when a test advances it, so that expiry is driven instead of slept for.
 * Serializable, like its {@link #factory()}, because JCache factories must be.
 */
public final class FakeTicker implements Ticker, Serializable {

  private static final long serialVersionUID = 1L;

  private final AtomicLong nanos = new AtomicLong();

  @Override
  public long read() {
    return nanos.get();
  }

  /** Moves time forward. */
  public FakeTicker advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
    return this;
  }

  /** Returns a serializable factory that hands out this very ticker. */
  public Factory<Ticker> factory() {
    return new SameTickerFactory(this);
  }

  private static final class SameTickerFactory implements Factory<Ticker> {
    private static final long serialVersionUID = 1L;

    private final FakeTicker ticker;

    SameTickerFactory(FakeTicker ticker) {
      this.ticker = ticker;
    }

    @Override
    public Ticker create() {
      return ticker;
    }
  }
}
