package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Ticker;
import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The flush scheduler may be the user's: the buffer calls it only outside its lock, so a
 * scheduler that is slow, blocks or calls back into the cache never holds up other keys.
 */
class SchedulerOutsideLockTest {

  /** Checks on every call that another thread can take the buffer's lock meanwhile. */
  private static final class Probing implements FlushScheduler {
    final FlushScheduler real = FlushScheduler.daemon("probing", 1);
    final AtomicReference<WriteBehindBuffer<String, String>> buffer = new AtomicReference<>();
    final List<String> underLock = new CopyOnWriteArrayList<>();
    final AtomicInteger executes = new AtomicInteger();
    final AtomicInteger schedules = new AtomicInteger();

    private void probe(String call) {
      WriteBehindBuffer<String, String> target = buffer.get();
      if (target == null) {
        return; // recovery, before the buffer exists
      }
      try {
        // statistics() takes the buffer's lock: it cannot finish while this thread holds it
        CompletableFuture.supplyAsync(target::statistics).get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        underLock.add(call);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void execute(Runnable task) {
      executes.incrementAndGet();
      probe("execute");
      real.execute(task);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
      schedules.incrementAndGet();
      probe("schedule");
      real.schedule(task, delayNanos);
    }

    @Override
    public void close() {
      real.close();
    }
  }

  @Test
  void timersAndBatchesAreHandedToTheSchedulerAfterTheLockIsReleased() {
    Probing scheduler = new Probing();
    RecordingWriter writer = new RecordingWriter(Ticker.system());
    WriteBehindConfiguration config = WriteBehindConfiguration.builder()
        .batchSize(5).maxWriteDelay(Duration.ofMillis(2)).build();
    WriteBehindBuffer<String, String> buffer = WriteBehindBuffer.<String, String>builder(
        "probing", config, writer).scheduler(scheduler).build();
    scheduler.buffer.set(buffer);
    try {
      for (int i = 0; i < 12; i++) { // two full batches at once, two keys on a timer
        Reservation reservation = buffer.reserve("k" + i);
        try {
          buffer.write(reservation, "k" + i, "v" + i);
        } finally {
          buffer.release(reservation);
        }
      }
      assertTrue(buffer.flush(Duration.ofSeconds(30)).allWritten());
      assertEquals(12, writer.store.size());
      assertTrue(scheduler.executes.get() >= 3, "batches sent: " + scheduler.executes);
      assertTrue(scheduler.schedules.get() >= 1, "timers armed: " + scheduler.schedules);
      assertEquals(List.of(), scheduler.underLock, "scheduler calls made under the lock");
    } finally {
      buffer.close();
    }
  }
}
