package dev.jotter.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.configuration.Durability;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSerializerTest {
  @TempDir Path dir;

  /** A class whose deserialization would be visible: it must never happen unless allowed. */
  static final class Tripwire implements Serializable {
    private static final long serialVersionUID = 1L;
    static volatile boolean instantiated;
    final String payload;

    Tripwire(String payload) {
      this.payload = payload;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      instantiated = true;
      in.defaultReadObject();
    }
  }

  /** An allowed value type. */
  record Money(String currency, long cents) implements Serializable {}

  @Test
  void codecsRoundTripCommonImmutableTypes() {
    assertEquals("grüße ✓", JournalCodec.strings().decode(JournalCodec.strings().encode("grüße ✓")));
    assertEquals(Long.MIN_VALUE, JournalCodec.longs().decode(JournalCodec.longs().encode(Long.MIN_VALUE)));
    assertEquals(-7, JournalCodec.integers().decode(JournalCodec.integers().encode(-7)));
    byte[] bytes = {1, 2, 3};
    byte[] encoded = JournalCodec.byteArrays().encode(bytes);
    bytes[0] = 9; // the journal's copy is its own
    assertArrayEquals(new byte[] {1, 2, 3}, JournalCodec.byteArrays().decode(encoded));
    assertThrows(IllegalArgumentException.class, () -> JournalCodec.longs().decode(new byte[3]));
    assertThrows(IllegalArgumentException.class, () -> JournalCodec.integers().decode(new byte[8]));
    assertThrows(IllegalArgumentException.class,
        () -> JournalCodec.strings().decode(new byte[] {(byte) 0xC3}));
  }

  @Test
  void javaSerializationReadsAllowedClasses() {
    JavaSerializationJournalSerializer<String, Money> serializer =
        new JavaSerializationJournalSerializer<>("dev.jotter.journal.JournalSerializerTest$Money;java.base/*;!*");
    Money m = new Money("EUR", 1999);
    assertEquals(m, serializer.deserializeValue(serializer.serializeValue(m)));
    assertEquals("k", serializer.deserializeKey(serializer.serializeKey("k")));
  }

  @Test
  void classOutsideTheAllowListIsNeverInstantiated() {
    JavaSerializationJournalSerializer<String, Object> permissive =
        new JavaSerializationJournalSerializer<>("dev.jotter.**;java.base/*;!*");
    byte[] bytes = permissive.serializeValue(new Tripwire("boom"));
    Tripwire.instantiated = false;
    // without the trailing !*: still an allow-list
    for (String allowList : List.of("java.base/*;!*", "java.base/*", "com.example.*")) {
      JavaSerializationJournalSerializer<String, Object> strict =
          new JavaSerializationJournalSerializer<>(allowList);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> strict.deserializeValue(bytes));
      assertTrue(e.getMessage().contains("allow-list"), e.getMessage());
      assertFalse(Tripwire.instantiated, allowList);
    }
    assertThrows(IllegalArgumentException.class,
        () -> new JavaSerializationJournalSerializer<>("maxdepth=oops"));
    assertThrows(IllegalArgumentException.class,
        () -> new JavaSerializationJournalSerializer<>(""));
  }

  @Test
  void disallowedClassInTheJournalIsReportedSkippedAndNotInstantiated() {
    long ok1;
    long ok2;
    try (FileJournal<String, Object> journal = FileJournal.<String, Object>builder(dir,
        new JavaSerializationJournalSerializer<>("dev.jotter.**;java.base/*;!*"))
        .durability(Durability.ASYNC).syncInterval(Duration.ofHours(1)).open()) {
      ok1 = journal.appendWrite("a", 42L);
      journal.appendWrite("evil", new Tripwire("boom"));
      ok2 = journal.appendWrite("b", "text");
    }
    Tripwire.instantiated = false;
    try (FileJournal<String, Object> journal = FileJournal.<String, Object>builder(dir,
        new JavaSerializationJournalSerializer<>("java.base/*;!*"))
        .durability(Durability.ASYNC).syncInterval(Duration.ofHours(1)).open()) {
      List<JournalRecord<String, Object>> replayed = new ArrayList<>();
      journal.replay(replayed::add);
      assertEquals(List.of(new JournalRecord<>(ok1, "a", 42L), new JournalRecord<>(ok2, "b", "text")),
          replayed);
      assertEquals(1, journal.unreadableRecords());
      assertFalse(Tripwire.instantiated);
      assertEquals(2, journal.pendingCount(), "the unreadable record was marked done");
    }
    try (FileJournal<String, Object> journal = FileJournal.<String, Object>builder(dir,
        new JavaSerializationJournalSerializer<>("dev.jotter.**;java.base/*;!*"))
        .durability(Durability.ASYNC).open()) {
      List<JournalRecord<String, Object>> replayed = new ArrayList<>();
      journal.replay(replayed::add);
      assertEquals(2, replayed.size(), "skipped for good: it would come after newer states");
      assertEquals(0, journal.unreadableRecords());
    }
  }
}
