package dev.jotter.metrics;

import dev.jotter.writebehind.WriteBehindListener;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listener a write-behind buffer is built with: it passes every writer call on to the meters
 * and beans attached since, which a buffer's single, build-time listener cannot do by itself.
 * Attaching is rare (binding a registry), calls are frequent, hence the copy-on-write list.
 */
public final class WriteBehindEvents implements WriteBehindListener {

  private final CopyOnWriteArrayList<WriteBehindListener> listeners = new CopyOnWriteArrayList<>();

  /** Passes later writer calls to {@code listener} too. */
  public void add(WriteBehindListener listener) {
    listeners.add(listener);
  }

  /** Stops passing writer calls to {@code listener}. */
  public void remove(WriteBehindListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void onBatch(int size, long nanos, Outcome outcome) {
    for (WriteBehindListener listener : listeners) {
      // one failing meter must not starve the others; the buffer logs what escapes a listener
      try {
        listener.onBatch(size, nanos, outcome);
      } catch (RuntimeException e) {
        System.getLogger(WriteBehindEvents.class.getName()).log(System.Logger.Level.DEBUG,
            "A write-behind listener failed", e);
      }
    }
  }
}
