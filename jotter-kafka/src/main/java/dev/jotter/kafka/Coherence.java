package dev.jotter.kafka;

import dev.jotter.journal.JournalSerializer;
import dev.jotter.writebehind.LocalCopy;
import dev.jotter.writer.WriterRoute.Pending;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Keeps this node's cache coherent with the other nodes': a tail reader of every partition of
 * the topic, outside the consumer group, that applies the other nodes' records to this node's
 * {@link LocalCopy} ({@code update} or {@code invalidate}) and answers reads of keys whose newest
 * record the group has not drained yet.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Convergence.</b> Once every node has read the topic to its end, each node's copy of
 *       every key it holds is the key's last record in its partition, which is the value the
 *       drain leaves in the database.
 *   <li><b>This node's own writes are never overtaken.</b> Each record this node produces
 *       carries its node id and sequence ({@value #NODE}, {@value #SEQUENCE}); until the tail has
 *       read this node's newest record of a key, another node's record of the key that it reads
 *       is older (the tail reads a partition in offset order, and this node's record comes after
 *       it) and is skipped. The check runs inside the key's atomic section, where this node's
 *       mutations mark the key, so a mutation and an applied record of one key never cross.
 *   <li><b>Cross-node reads.</b> A record applied here answers reads of its key (through
 *       {@link #pending}) until the group commits past it, so a read on this node returns another
 *       node's acknowledged value once the tail has read it, even if the entry was evicted or
 *       invalidated and the database does not hold it yet; then the loader answers.
 *   <li><b>Start.</b> The tail starts at the group's committed offsets (everything before them is
 *       in the database), so a node that starts or restarts reads the undrained backlog before
 *       its cache is handed to the application, for at most {@code startup-timeout}.
 *   <li><b>Refused records.</b> A record of this node that Kafka refused never reaches the topic:
 *       the key's mark is cleared and its entry dropped here, so reads go back to the log and the
 *       loader and other nodes' records of the key apply again.
 * </ul>
 *
 * <p>Implementation notes: one thread per cache; the per-key marks ({@code unseen}) are keyed by
 * the key's bytes (the partitioner hashes the same bytes, so a key's bytes are its identity in
 * the log); the answered records are pruned per partition in offset order when the group's
 * committed offsets pass them, as this node's own pending entries are. Memory: one entry per key
 * with an undrained record of another node. Adding partitions to a live topic moves keys between
 * partitions and breaks the per-key order the log relies on: not supported.
 */
final class Coherence<K, V> {

  private static final System.Logger LOG = System.getLogger(Coherence.class.getName());

  /** The header of this node's id on every record it produces. */
  static final String NODE = "jotter.node";
  /** The header of the record's sequence among this node's records. */
  static final String SEQUENCE = "jotter.seq";

  /** Another node's record that answers reads here until the group commits past it. */
  static final class Remote<V> implements Pending<V> {
    final V value;
    final int partition;
    final long offset;
    final long timestamp;
    /** This node's newest own sequence the tail had read when it applied this record. */
    final long ownSeen;

    Remote(V value, int partition, long offset, long timestamp, long ownSeen) {
      this.value = value;
      this.partition = partition;
      this.offset = offset;
      this.timestamp = timestamp;
      this.ownSeen = ownSeen;
    }

    @Override
    public boolean isDelete() {
      return value == null;
    }

    @Override
    public V value() {
      return value;
    }
  }

  private record Applied<K, V>(K key, Remote<V> remote) {}

  /** Reads the group's committed offsets of the topic. */
  @FunctionalInterface
  interface GroupOffsets {
    Map<TopicPartition, OffsetAndMetadata> read()
        throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException,
        InterruptedException;
  }

  private final String cacheName;
  private final KafkaSettings.Parsed kafka;
  private final JournalSerializer<K, V> serializer;
  private final GroupOffsets groupOffsets;
  private final LocalCopy<K, V> copy;
  private final LocalCopy.Mode mode;
  private final byte[] nodeId = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  /** Per key (its bytes): this node's newest sequence that the tail has not read yet. */
  private final ConcurrentHashMap<ByteBuffer, Long> unseen = new ConcurrentHashMap<>();
  /** Per key: the newest other node's record applied here, until the group commits past it. */
  private final ConcurrentHashMap<K, Remote<V>> remotes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, ArrayDeque<Applied<K, V>>> byPartition =
      new ConcurrentHashMap<>();
  /** Keys whose record Kafka refused: their entries are dropped on the tail's thread. */
  private final ConcurrentLinkedQueue<Refused<K>> refused = new ConcurrentLinkedQueue<>();

  private record Refused<K>(K key, ByteBuffer bytes) {}

  /** The tail thread's newest own sequence read (only that thread writes it). */
  private volatile long ownSeen;
  private volatile long lagRecords = -1;
  final AtomicLong applied = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  Coherence(String cacheName, KafkaSettings.Parsed kafka, JournalSerializer<K, V> serializer,
      GroupOffsets groupOffsets, LocalCopy<K, V> copy, LocalCopy.Mode mode) {
    this.cacheName = cacheName;
    this.kafka = kafka;
    this.serializer = serializer;
    this.groupOffsets = groupOffsets;
    this.copy = copy;
    this.mode = mode;
    this.consumer = new KafkaConsumer<>(consumerProperties(kafka));
    this.thread = new Thread(this::run, "jotter-kafka-tail-" + cacheName);
    thread.setDaemon(true);
  }

  private static Properties consumerProperties(KafkaSettings.Parsed kafka) {
    Properties p = new Properties();
    // the user's consumer settings carry security and network settings the tail needs too; the
    // group's own settings do not apply to a reader that assigns its partitions
    p.putAll(kafka.consumer());
    for (String groupOnly : List.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG,
        ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, ConsumerConfig.CLIENT_ID_CONFIG)) {
      p.remove(groupOnly);
    }
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** Starts the tail; waits, at most {@code timeout}, until it has read the undrained backlog. */
  void start(Duration timeout) {
    thread.start();
    try {
      if (!caughtUp.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the tail reader did "
            + "not read the undrained records of topic " + kafka.topic() + " within "
            + timeout + "; until it has, reads of their keys on this node may return older values");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void stop(Duration timeout) {
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- this node's records ----------------------------------------------------------------------

  /** The headers of this node's record of sequence {@code sequence}. */
  void stamp(Headers headers, long sequence) {
    headers.add(NODE, nodeId);
    headers.add(SEQUENCE, Long.toString(sequence).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * This node is producing a record of the key, in the key's atomic section: other nodes' records
   * of the key that the tail reads from now on are older, until the tail reads this one.
   *
   * @return the mark it replaced, for {@link #aborted}
   */
  Long sending(byte[] keyBytes, long sequence) {
    return unseen.put(ByteBuffer.wrap(keyBytes), sequence);
  }

  /** The record was never sent: the key's mark is what it was. */
  void aborted(byte[] keyBytes, long sequence, Long previous) {
    ByteBuffer key = ByteBuffer.wrap(keyBytes);
    if (previous == null) {
      unseen.remove(key, sequence);
    } else {
      unseen.replace(key, sequence, previous);
    }
  }

  /**
   * Kafka refused the record after {@code send} returned (on the producer's thread, where the
   * cache must not be entered): it never reaches the topic, so nothing will clear its mark.
   */
  void refused(K key, byte[] keyBytes, long sequence) {
    ByteBuffer bytes = ByteBuffer.wrap(keyBytes);
    if (unseen.remove(bytes, sequence)) {
      refused.add(new Refused<>(key, bytes));
    }
  }

  // ---- reads ------------------------------------------------------------------------------------

  /**
   * Which answers a read of the key: this node's own pending entry {@code own} (its sequence
   * {@code ownSequence}), or another node's record applied here after it.
   */
  Pending<V> newer(K key, Pending<V> own, long ownSequence) {
    Remote<V> remote = remotes.get(key);
    if (remote == null) {
      return own;
    }
    return own != null && ownSequence > remote.ownSeen ? own : remote;
  }

  /** The other node's record applied here for the key, if the group has not drained it yet. */
  Remote<V> remote(K key) {
    return remotes.get(key);
  }

  boolean holdsRecords() {
    return !remotes.isEmpty();
  }

  /** Records not yet read by the tail, over all partitions; -1 before its first poll. */
  long lagRecords() {
    return lagRecords;
  }

  /** The group committed up to {@code done} (next offset) in {@code partition}. */
  void committed(int partition, long done) {
    ArrayDeque<Applied<K, V>> queue = byPartition.get(partition);
    if (queue == null) {
      return;
    }
    synchronized (queue) {
      for (Applied<K, V> a = queue.peek(); a != null && a.remote().offset < done;
          a = queue.peek()) {
        queue.poll();
        remotes.remove(a.key(), a.remote());
      }
    }
  }

  // ---- the tail ---------------------------------------------------------------------------------

  private void run() {
    try {
      List<TopicPartition> partitions = assign();
      if (partitions == null) {
        return;
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (!stopped()) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          break;
        } catch (KafkaException e) {
          LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the tail reader "
              + "could not poll (" + e + "); it tries again");
          pause();
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          read(record);
        }
        dropRefused();
        long lag = 0;
        for (TopicPartition p : partitions) {
          lag += Math.max(0, consumer.currentLag(p).orElse(0));
        }
        lagRecords = lag;
        if (caughtUp.getCount() > 0 && reached(end)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "cache " + cacheName + ": the tail reader stopped; "
          + "this node's cache no longer follows the other nodes' writes", e);
    } finally {
      caughtUp.countDown();
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the tail consumer: " + e);
      }
    }
  }

  /** Assigns every partition at the group's committed offset; null if closing came first. */
  private List<TopicPartition> assign() {
    while (!stopped()) {
      try {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(kafka.topic())) {
          partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        Map<TopicPartition, OffsetAndMetadata> committed = groupOffsets.read();
        consumer.assign(partitions);
        Map<TopicPartition, Long> from = new HashMap<>();
        for (TopicPartition p : partitions) {
          OffsetAndMetadata at = committed.get(p);
          if (at == null) {
            consumer.seekToBeginning(List.of(p));
          } else {
            consumer.seek(p, at.offset());
            from.put(p, at.offset());
          }
        }
        LOG.log(System.Logger.Level.DEBUG, "cache " + cacheName + ": the tail reads "
            + partitions.size() + " partitions from the group's offsets " + from);
        return partitions;
      } catch (WakeupException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (RuntimeException | java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the tail reader "
            + "cannot start yet (" + e + "); it tries again");
        pause();
      }
    }
    return null;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Applies, or skips, one record of the topic; the tail's thread (or a test) alone calls it. */
  void read(ConsumerRecord<byte[], byte[]> record) {
    if (isOwn(record.headers())) {
      Header sequence = record.headers().lastHeader(SEQUENCE);
      long seq = sequence == null ? -1
          : Long.parseLong(new String(sequence.value(), StandardCharsets.UTF_8));
      unseen.remove(ByteBuffer.wrap(record.key()), seq);
      if (seq > ownSeen) {
        ownSeen = seq;
      }
      return;
    }
    K key;
    try {
      key = serializer.deserializeKey(record.key());
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the tail reader cannot "
          + "read the key of record " + record.partition() + "@" + record.offset() + ": " + e);
      return;
    }
    ByteBuffer bytes = ByteBuffer.wrap(record.key());
    V value;
    LocalCopy.Mode how = mode;
    try {
      value = record.value() == null ? null : serializer.deserializeValue(record.value());
    } catch (RuntimeException e) {
      // the entry must not keep a value older than this record: drop it, reads ask the loader
      failures.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the tail reader cannot "
          + "read the value of key " + key + " (record " + record.partition() + "@"
          + record.offset() + "); the key's entry is dropped on this node: " + e);
      value = null;
      how = LocalCopy.Mode.INVALIDATE;
    }
    Remote<V> remote = new Remote<>(value, record.partition(), record.offset(),
        record.timestamp(), ownSeen);
    boolean answers = how == mode;
    try {
      boolean done = copy.apply(key, value, how, () -> {
        if (unseen.containsKey(bytes)) {
          return false;
        }
        if (answers) {
          // before the entry changes, inside the key's section: a read that misses from now on
          // finds the record, never the database's older row
          remotes.put(key, remote);
          ArrayDeque<Applied<K, V>> queue =
              byPartition.computeIfAbsent(record.partition(), p -> new ArrayDeque<>());
          synchronized (queue) {
            queue.add(new Applied<>(key, remote));
          }
        }
        return true;
      });
      (done ? applied : skipped).incrementAndGet();
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the record of key " + key
          + " (" + record.partition() + "@" + record.offset() + ") could not be applied on this "
          + "node: " + e);
    }
  }

  private boolean isOwn(Headers headers) {
    Header node = headers.lastHeader(NODE);
    return node != null && Arrays.equals(node.value(), nodeId);
  }

  /** Drops the entries of refused records; the tail's thread (or a test) alone calls it. */
  void dropRefused() {
    for (Refused<K> r = refused.poll(); r != null; r = refused.poll()) {
      ByteBuffer bytes = r.bytes();
      try {
        copy.apply(r.key(), null, LocalCopy.Mode.INVALIDATE, () -> !unseen.containsKey(bytes));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": could not drop key "
            + r.key() + " whose record Kafka refused: " + e);
      }
    }
  }

  private boolean stopped() {
    return stopping.getCount() == 0;
  }

  private void pause() {
    try {
      stopping.await(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping.countDown();
    }
  }
}
