package dev.jotter.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.Ticker;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.FileJournal;
import dev.jotter.journal.JournalCodec;
import dev.jotter.journal.JournalSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffer's lock is shared by every key's mutations: what may be slow or is the user's code —
 * the flush scheduler (which a configuration may supply), the journal's serializer — runs only
 * outside it, so it never holds up other keys.
 */
class NothingForeignUnderTheLockTest {

  /**
   * Whether another thread can take the buffer's lock now: statistics() takes it, and cannot
   * finish while the calling thread holds it.
   */
  static boolean lockIsFree(WriteBehindBuffer<?, ?> buffer) {
    try {
      CompletableFuture.supplyAsync(buffer::statistics).get(5, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

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
      if (!lockIsFree(target)) {
        underLock.add(call);
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

  @Test
  void theJournalSerializesBeforeTheLock(@TempDir Path dir) {
    AtomicReference<WriteBehindBuffer<String, String>> buffer = new AtomicReference<>();
    List<String> underLock = new CopyOnWriteArrayList<>();
    AtomicInteger serialized = new AtomicInteger();
    JournalSerializer<String, String> strings =
        JournalSerializer.of(JournalCodec.strings(), JournalCodec.strings());
    JournalSerializer<String, String> probing = new JournalSerializer<>() {
      @Override
      public byte[] serializeKey(String key) {
        return strings.serializeKey(key);
      }

      @Override
      public String deserializeKey(byte[] bytes) {
        return strings.deserializeKey(bytes);
      }

      @Override
      public byte[] serializeValue(String value) {
        serialized.incrementAndGet();
        WriteBehindBuffer<String, String> target = buffer.get();
        if (target != null && !lockIsFree(target)) {
          underLock.add(value);
        }
        return strings.serializeValue(value);
      }

      @Override
      public String deserializeValue(byte[] bytes) {
        return strings.deserializeValue(bytes);
      }
    };
    RecordingWriter writer = new RecordingWriter(Ticker.system());
    WriteBehindConfiguration config = WriteBehindConfiguration.builder()
        .durability(Durability.ASYNC).journalDirectory(dir).maxWriteDelay(Duration.ofMillis(2))
        .build();
    FileJournal<String, String> journal = FileJournal.builder(dir, probing)
        .durability(Durability.ASYNC).open();
    buffer.set(WriteBehindBuffer.<String, String>builder("serializing", config, writer)
        .journal(journal).build());
    try {
      for (int i = 0; i < 5; i++) {
        Reservation reservation = buffer.get().reserve("k" + i);
        try {
          buffer.get().write(reservation, "k" + i, "v" + i);
        } finally {
          buffer.get().release(reservation);
        }
      }
      assertTrue(buffer.get().flush(Duration.ofSeconds(30)).allWritten());
      assertEquals(5, serialized.get());
      assertEquals(List.of(), underLock, "values serialized under the buffer's lock");
    } finally {
      buffer.get().close();
    }
  }
}
