package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetterQueueTest {
  private final FakeTicker ticker = new FakeTicker();
  private final WriteBehindBuffer<String, String> buffer = WriteBehindBuffer.<String, String>builder(
      "dlq", WriteBehindConfiguration.builder().build(), new RecordingWriter(ticker))
      .ticker(ticker).scheduler(new ManualScheduler(ticker)).build();
  private long order;

  private DeadLetter<String, String> letter(String key, String value) {
    return new DeadLetter<>(buffer, order++, key, value, 3, Instant.EPOCH, new RuntimeException());
  }

  @Test
  void keepsNewestLetterPerKeyInArrivalOrder() {
    DeadLetterQueue<String, String> queue = new DeadLetterQueue<>();
    queue.deadLettered(letter("a", "1"));
    queue.deadLettered(letter("b", null));
    queue.deadLettered(letter("a", "2"));

    assertEquals(List.of("b", "a"), queue.snapshot().stream().map(DeadLetter::key).toList());
    assertEquals("2", queue.snapshot().get(1).value());
    assertEquals(List.of(2, 3L), List.of(queue.size(), queue.received()));
  }

  @Test
  void isBoundedAndCountsWhatItDiscards() {
    DeadLetterQueue<String, String> queue = new DeadLetterQueue<>(2);
    queue.deadLettered(letter("a", "1"));
    queue.deadLettered(letter("b", "1"));
    queue.deadLettered(letter("c", "1"));

    assertEquals(List.of("b", "c"), queue.snapshot().stream().map(DeadLetter::key).toList());
    assertEquals(1, queue.discarded());
  }

  @Test
  void supersededKeyIsRemoved() {
    DeadLetterQueue<String, String> queue = new DeadLetterQueue<>();
    queue.deadLettered(letter("a", "1"));
    queue.superseded("a");
    queue.superseded("unknown");

    assertEquals(0, queue.size());
  }

  @Test
  void lettersUnknownToTheirBufferAreNotResubmitted() {
    DeadLetterQueue<String, String> queue = new DeadLetterQueue<>();
    queue.deadLettered(letter("a", "1"));

    assertEquals(0, queue.resubmit());
    assertEquals(1, queue.size());
  }

  @Test
  void capacityMustBePositive() {
    assertEquals("capacity must be at least 1, was 0", assertThrows(
        IllegalArgumentException.class, () -> new DeadLetterQueue<>(0)).getMessage());
  }
}
