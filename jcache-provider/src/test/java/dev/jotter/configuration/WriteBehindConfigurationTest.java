package dev.jotter.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class WriteBehindConfigurationTest {

  @Test
  void defaults() {
    WriteBehindConfiguration c = WriteBehindConfiguration.builder().build();

    assertEquals(100, c.batchSize());
    assertEquals(Duration.ofMillis(100), c.maxWriteDelay());
    assertTrue(c.coalescing());
    assertEquals(100_000, c.maxPendingOperations());
    assertEquals(OverflowPolicy.BLOCK, c.overflowPolicy());
    assertEquals(Duration.ofSeconds(5), c.blockTimeout());
    assertEquals(1, c.flusherThreads());
    assertEquals(10, c.maxAttempts());
    assertEquals(Duration.ofMinutes(5), c.maxRetryTime());
    assertEquals(Duration.ofMillis(100), c.initialBackoff());
    assertEquals(Duration.ofSeconds(30), c.maxBackoff());
    assertEquals(2.0, c.backoffMultiplier());
    assertEquals(0.2, c.jitter());
    assertEquals(Duration.ofSeconds(5), c.drainTimeout(), "inside docker's 10s grace period");
    assertEquals(10_000, c.maxDeadLetters());
    assertEquals(Durability.NONE, c.durability());
    assertEquals(Optional.empty(), c.journalDirectory());
    assertEquals(Duration.ofMillis(10), c.syncInterval());
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        invalid(b -> b.batchSize(0), "batchSize must be between 1 and 100000, was 0"),
        invalid(b -> b.maxDeadLetters(0), "maxDeadLetters must be between 1 and 10000000, was 0"),
        invalid(b -> b.log("Kafka!"), "log must be 'journal' or the name of a WriteBehindLogFactory"
            + " (lower-case letters, digits and '-'), was 'Kafka!'"),
        invalid(b -> b.logSetting("topic", "t"), "logSettings [topic] need a log other than "
            + "'journal', whose settings are the journal's own"),
        invalid(b -> b.batchSize(100_001), "batchSize must be between 1 and 100000, was 100001"),
        invalid(b -> b.maxWriteDelay(Duration.ZERO), "maxWriteDelay must be positive, was PT0S"),
        invalid(b -> b.maxPendingOperations(99),
            "maxPendingOperations must be at least batchSize (100): the buffer must hold one full "
                + "batch; was 99 (raise maxPendingOperations or lower batchSize)"),
        invalid(b -> b.batchSize(500).maxPendingOperations(499),
            "maxPendingOperations must be at least batchSize (500): the buffer must hold one full "
                + "batch; was 499 (raise maxPendingOperations or lower batchSize)"),
        invalid(b -> b.maxPendingOperations(0),
            "maxPendingOperations must be at least batchSize (100): the buffer must hold one full "
                + "batch; was 0 (raise maxPendingOperations or lower batchSize)"),
        invalid(b -> b.blockTimeout(Duration.ofMillis(-1)),
            "blockTimeout must be zero or positive, was PT-0.001S"),
        invalid(b -> b.flusherThreads(0), "flusherThreads must be between 1 and 64, was 0"),
        invalid(b -> b.flusherThreads(65), "flusherThreads must be between 1 and 64, was 65"),
        invalid(b -> b.maxAttempts(0), "maxAttempts must be between 1 and 2147483647, was 0"),
        invalid(b -> b.maxRetryTime(Duration.ZERO), "maxRetryTime must be positive, was PT0S"),
        invalid(b -> b.initialBackoff(Duration.ZERO), "initialBackoff must be positive, was PT0S"),
        invalid(b -> b.maxBackoff(Duration.ofMillis(99)),
            "maxBackoff must be at least initialBackoff (PT0.1S), was PT0.099S "
                + "(raise maxBackoff or lower initialBackoff)"),
        invalid(b -> b.initialBackoff(Duration.ofMinutes(1)),
            "maxBackoff must be at least initialBackoff (PT1M), was PT30S "
                + "(raise maxBackoff or lower initialBackoff)"),
        invalid(b -> b.backoffMultiplier(0.5),
            "backoffMultiplier must be between 1.0 and 1000.0, was 0.5"),
        invalid(b -> b.backoffMultiplier(Double.NaN),
            "backoffMultiplier must be between 1.0 and 1000.0, was NaN"),
        invalid(b -> b.jitter(1.5), "jitter must be between 0.0 and 1.0, was 1.5"),
        invalid(b -> b.drainTimeout(Duration.ofSeconds(-1)),
            "drainTimeout must be zero or positive, was PT-1S"),
        invalid(b -> b.syncInterval(Duration.ZERO), "syncInterval must be positive, was PT0S"),
        invalid(b -> b.durability(Durability.ASYNC),
            "journalDirectory is required when durability is ASYNC"));
  }

  private static Arguments invalid(UnaryOperator<WriteBehindConfiguration.Builder> setting,
      String message) {
    return Arguments.of(setting, message);
  }

  @ParameterizedTest
  @MethodSource("invalidSettings")
  void invalidValueFailsNamingSettingAndRange(
      UnaryOperator<WriteBehindConfiguration.Builder> setting, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> setting.apply(WriteBehindConfiguration.builder()).build());
    assertEquals(message, e.getMessage());
  }

  @Test
  void nullIsRejectedWithTheSettingsName() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> WriteBehindConfiguration.builder().overflowPolicy(null));
    assertEquals("overflowPolicy", e.getMessage());
  }

  @Test
  void valueSemanticsAndSerialization() throws Exception {
    WriteBehindConfiguration c = WriteBehindConfiguration.builder().batchSize(7)
        .durability(Durability.SYNC).journalDirectory(Path.of("/var/jotter")).jitter(0).build();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    Object copy = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();

    assertEquals(c, copy);
    assertEquals(c.hashCode(), copy.hashCode());
    assertEquals(Optional.of(Path.of("/var/jotter")), c.journalDirectory());
    assertEquals(c, c.toBuilder().build());
    assertNotEquals(c, c.toBuilder().batchSize(8).build());
    assertTrue(c.toString().contains("batchSize=7"), c.toString());
  }
}
