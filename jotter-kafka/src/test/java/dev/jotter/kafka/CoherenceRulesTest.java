package dev.jotter.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.journal.JournalCodec;
import dev.jotter.journal.JournalSerializer;
import dev.jotter.writebehind.LocalCopy;
import dev.jotter.writer.WriterRoute.Pending;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules by which the tail reader applies records, driven record by record on one thread
 * (no broker: the records are built here, in the order a partition would hold them): another
 * node's record never overtakes this node's newer write of the key, this node's records are not
 * applied again, and reads are answered by the newest of this node's entry and the applied
 * record until the group commits past it.
 */
class CoherenceRulesTest {
  private static final JournalSerializer<String, String> SERIALIZER =
      JournalSerializer.of(JournalCodec.strings(), JournalCodec.strings());

  /** This node's copy: a map, with the guard run where the cache would run it. */
  private static final class MapCopy implements LocalCopy<String, String> {
    final Map<String, String> entries = new HashMap<>();

    @Override
    public synchronized boolean apply(String key, String value, Mode mode,
        BooleanSupplier applies) {
      if (!applies.getAsBoolean()) {
        return false;
      }
      if (mode == Mode.INVALIDATE || value == null) {
        entries.remove(key);
      } else {
        entries.put(key, value);
      }
      return true;
    }
  }

  private final MapCopy copy = new MapCopy();
  private final Coherence<String, String> coherence = coherence(LocalCopy.Mode.UPDATE);
  private final Coherence<String, String> otherNode = coherence(LocalCopy.Mode.UPDATE);
  private long offset;

  private Coherence<String, String> coherence(LocalCopy.Mode mode) {
    return new Coherence<>("orders",
        KafkaSettings.parse("orders", Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:1")),
        SERIALIZER, Map::of, copy, mode);
  }

  @AfterEach
  void close() {
    coherence.stop(Duration.ZERO);
    otherNode.stop(Duration.ZERO);
  }

  /** The next record of partition 0, stamped by {@code node} with {@code sequence}. */
  private ConsumerRecord<byte[], byte[]> record(Coherence<String, String> node, long sequence,
      String key, String value) {
    RecordHeaders headers = new RecordHeaders();
    node.stamp(headers, sequence);
    return new ConsumerRecord<>("orders", 0, offset++, 0L, TimestampType.CREATE_TIME, 0, 0,
        bytes(key), value == null ? null : bytes(value), headers, Optional.empty());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** This node writes {@code key} (as the log does in the key's section), sequence {@code seq}. */
  private void writeHere(String key, String value, long seq) {
    coherence.sending(SERIALIZER.serializeKey(key), seq);
    copy.entries.put(key, value);
  }

  @Test
  void anotherNodesRecordIsAppliedAndAnswersReadsUntilTheGroupCommitsPastIt() {
    coherence.read(record(otherNode, 1, "k", "theirs"));
    assertEquals("theirs", copy.entries.get("k"));
    Pending<String> answer = coherence.newer("k", null, -1);
    assertEquals("theirs", answer.value());
    coherence.committed(0, 1);
    assertNull(coherence.newer("k", null, -1), "drained: the loader answers now");
    assertFalse(coherence.holdsRecords());
  }

  @Test
  void anOlderRecordReadAfterThisNodesWriteIsSkippedAndTheWriteStays() {
    // the other node's record is in the partition before ours; our write came after it
    ConsumerRecord<byte[], byte[]> older = record(otherNode, 1, "k", "older");
    writeHere("k", "mine", 1);
    ConsumerRecord<byte[], byte[]> mine = record(coherence, 1, "k", "mine");

    coherence.read(older);
    assertEquals("mine", copy.entries.get("k"), "the older record does not overtake our write");
    assertEquals(1, coherence.skipped.get());
    coherence.read(mine);
    assertEquals("mine", copy.entries.get("k"));
    assertEquals(0, coherence.applied.get(), "our own record is not applied again");

    // once ours is read, the next record of the key is newer than it: applied
    coherence.read(record(otherNode, 2, "k", "newer"));
    assertEquals("newer", copy.entries.get("k"));
  }

  @Test
  void onlyTheNewestOfThisNodesWritesOfAKeyClearsItsMark() {
    writeHere("k", "1", 1);
    ConsumerRecord<byte[], byte[]> first = record(coherence, 1, "k", "1");
    writeHere("k", "2", 2);
    ConsumerRecord<byte[], byte[]> second = record(coherence, 2, "k", "2");
    coherence.read(first);
    coherence.read(record(otherNode, 1, "k", "between"));
    assertEquals("2", copy.entries.get("k"), "our second write is still newer than 'between'");
    coherence.read(second);
    coherence.read(record(otherNode, 2, "k", "after"));
    assertEquals("after", copy.entries.get("k"));
  }

  @Test
  void readsAreAnsweredByTheNewerOfThisNodesEntryAndTheAppliedRecord() {
    Pending<String> own = new Coherence.Remote<>("own", 0, -1, 0, 0);
    coherence.read(record(otherNode, 1, "k", "theirs"));
    assertEquals("theirs", coherence.newer("k", own, 0).value(),
        "our entry of sequence 0 came before the applied record");
    writeHere("k", "mine", 5);
    assertSame(own, coherence.newer("k", own, 5), "a write after the applied record wins");
  }

  @Test
  void aRefusedRecordClearsItsMarkAndDropsTheEntry() {
    writeHere("k", "refused", 1);
    coherence.refused("k", SERIALIZER.serializeKey("k"), 1);
    coherence.dropRefused();
    assertFalse(copy.entries.containsKey("k"), "no log holds the value: reads ask the truth");
    coherence.read(record(otherNode, 1, "k", "theirs"));
    assertEquals("theirs", copy.entries.get("k"), "other nodes' records apply again");
  }

  @Test
  void aMutationAbortedBeforeItsSendRestoresTheMark() {
    byte[] key = SERIALIZER.serializeKey("k");
    Long previous = coherence.sending(key, 1);
    coherence.aborted(key, 1, previous);
    coherence.read(record(otherNode, 1, "k", "theirs"));
    assertEquals("theirs", copy.entries.get("k"));

    coherence.sending(key, 2);
    Long mark = coherence.sending(key, 3);
    coherence.aborted(key, 3, mark);
    coherence.read(record(otherNode, 2, "k", "older"));
    assertEquals("theirs", copy.entries.get("k"), "write 2 is still on its way: skipped");
  }

  @Test
  void invalidationDropsTheEntryButTheRecordAnswersReads() {
    Coherence<String, String> invalidating = coherence(LocalCopy.Mode.INVALIDATE);
    try {
      copy.entries.put("k", "old");
      invalidating.read(record(otherNode, 1, "k", "new"));
      assertFalse(copy.entries.containsKey("k"));
      assertEquals("new", invalidating.newer("k", null, -1).value());
    } finally {
      invalidating.stop(Duration.ZERO);
    }
  }

  @Test
  void aRecordWhoseValueCannotBeReadDropsTheEntryAndAnswersNothing() {
    copy.entries.put("k", "old");
    RecordHeaders headers = new RecordHeaders();
    otherNode.stamp(headers, 1);
    Coherence<String, String> longs = new Coherence<>("orders",
        KafkaSettings.parse("orders", Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:1")),
        JournalSerializer.of(JournalCodec.strings(), new JournalCodec<String>() {
          @Override
          public byte[] encode(String value) {
            return bytes(value);
          }

          @Override
          public String decode(byte[] bytes) {
            throw new IllegalArgumentException("not a value of this version");
          }
        }), Map::of, copy, LocalCopy.Mode.UPDATE);
    try {
      longs.read(new ConsumerRecord<>("orders", 0, 0, 0L, TimestampType.CREATE_TIME, 0, 0,
          bytes("k"), bytes("v"), headers, Optional.empty()));
      assertFalse(copy.entries.containsKey("k"), "an older value must not stay");
      assertNull(longs.newer("k", null, -1));
      assertEquals(1, longs.failures.get());
      assertTrue(longs.applied.get() == 1);
    } finally {
      longs.stop(Duration.ZERO);
    }
  }
}
