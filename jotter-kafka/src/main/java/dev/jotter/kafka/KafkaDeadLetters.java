package dev.jotter.kafka;

import dev.jotter.journal.JournalSerializer;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead letters of a cache on the Kafka log: a view of the dead-letter topic, which is the
 * truth and is shared by every node. Each node reads the whole topic from its beginning, outside
 * the consumer group, on a thread of its own, and keeps each key's newest letter in memory.
 *
 * <p>The topic holds two kinds of records, both keyed by the serialized key (so one key's records
 * are in one partition, in order):
 * <ul>
 *   <li>a <b>letter</b>: the operation whose retry budget is spent (value = the serialized value,
 *       empty for a delete), with its cause, attempts and failure times in headers;
 *   <li>a <b>marker</b> (a tombstone, header {@value #KIND}): {@code resubmitted} or
 *       {@code discarded} (resolves the letter at the offset in {@value #RESOLVES}), or
 *       {@code superseded} (a newer record of the key, at {@value #WRITTEN} in the topic of
 *       pending writes, was written: every older letter of the key is stale). A compacted
 *       dead-letter topic thus forgets resolved letters.
 * </ul>
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Every node lists the same letters once it has read the topic to its end;
 *       {@link #list}, {@link #resubmit} and {@link #discard} first read it to the end as of the
 *       call (bounded by {@code startup-timeout}), so an operator acts on what every node has
 *       written before.
 *   <li>Resubmitting produces the letter's operation into the topic of pending writes as a new
 *       record (a fresh retry budget) and only after Kafka acknowledged it the
 *       {@code resubmitted} marker. A crash between the two leaves the letter listed although
 *       its operation is queued: it is shown twice (once as a letter, once as a write), never
 *       lost; the drain of the new record then supersedes the letter. The other order could
 *       lose it.
 *   <li>A resubmission never writes an older value over a newer one: the drain skips a
 *       resubmitted record when a newer record of its key came after the letter (see
 *       {@link #staleResubmit}).
 *   <li>Until the drain has written its record, a resubmitted letter still answers reads of its
 *       key on every node (contract clause 7); a discarded one does not.
 * </ul>
 *
 * <p>Implementation notes: the per-key states are guarded by this object's monitor; reads of the
 * cache look up {@link #answer} without it. Memory: every node holds every letter (its value
 * included) and a few numbers per key that ever had one; the topic is not bounded, so neither is
 * this view ({@link #capacity()}).
 */
final class KafkaDeadLetters<K, V> implements DeadLetters<K, V>, DeadLetter.Origin<K, V> {

  private static final System.Logger LOG = System.getLogger(KafkaDeadLetters.class.getName());

  /** Header: what a record of the dead-letter topic is; absent means a letter. */
  static final String KIND = "jotter.kind";
  static final String LETTER = "letter";
  static final String RESUBMITTED = "resubmitted";
  static final String DISCARDED = "discarded";
  static final String SUPERSEDED = "superseded";
  /** Header of a letter: {@code write} or {@code delete}. */
  static final String OP = "jotter.op";
  /** Headers of a letter: wall-clock epoch milliseconds. */
  static final String FIRST_FAILURE = "jotter.first-failure";
  static final String LAST_FAILURE = "jotter.last-failure";
  /** Header of a resubmitted or discarded marker: the offset of the letter it resolves. */
  static final String RESOLVES = "jotter.resolves";
  /** Header of a superseded marker: {@code partition@offset} of the written record. */
  static final String WRITTEN = "jotter.written";
  /**
   * Header of a resubmitted record in the topic of pending writes: {@code partition@offset} of
   * the letter's original record.
   */
  static final String RESUBMIT_OF = "jotter.resubmit-of";

  /** A letter as the topic holds it. */
  static final class Held<K, V> {
    final DeadLetter<K, V> letter;
    final byte[] key;
    final byte[] value;
    final int partition;
    final long offset;
    final long timestamp;
    final int sourcePartition;
    final long sourceOffset;

    Held(DeadLetter<K, V> letter, byte[] key, byte[] value, int partition, long offset,
        long timestamp, int sourcePartition, long sourceOffset) {
      this.letter = letter;
      this.key = key;
      this.value = value;
      this.partition = partition;
      this.offset = offset;
      this.timestamp = timestamp;
      this.sourcePartition = sourcePartition;
      this.sourceOffset = sourceOffset;
    }
  }

  /** What the topic says of one key. */
  private static final class State<K, V> {
    /** The offset of the key's newest record applied (all its records are in one partition). */
    long lastOffset = -1;
    Held<K, V> letter;
    /** A resubmitted letter whose new record is not known to be written yet. */
    Held<K, V> resubmitted;
    /** Where the key's newest letter came from in the topic of pending writes. */
    int watchPartition = -1;
    long watchFrom = -1;
    /** The newest record of the key known to be written, in the topic of pending writes. */
    int writtenPartition = -1;
    long writtenAt = -1;
  }

  private static final Comparator<Held<?, ?>> OLDEST_FIRST = Comparator
      .<Held<?, ?>>comparingLong(h -> h.timestamp)
      .thenComparingInt(h -> h.partition)
      .thenComparingLong(h -> h.offset);

  private final KafkaWriteBehindLog<K, V> log;
  private final String cacheName;
  private final String topic;
  private final JournalSerializer<K, V> serializer;
  private final Admin admin;
  private final Duration catchUpTimeout;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  /**
   * Sends resubmitted markers: not on the producer's I/O thread, where a send that waits for
   * metadata would stall every acknowledgement of the cache.
   */
  private final java.util.concurrent.ExecutorService markers;
  private volatile boolean stopping;

  private final Map<ByteBuffer, State<K, V>> states = new HashMap<>();
  private final TreeSet<Held<K, V>> letters = new TreeSet<>(OLDEST_FIRST);
  /** Letters and resubmitted letters by key, for reads without the monitor. */
  private final Map<ByteBuffer, DeadLetter<K, V>> answers = new ConcurrentHashMap<>();
  /** Next offset to read per partition, as far as this view has applied the topic. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final List<TopicPartition> partitions;
  private final AtomicLong discarded = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();

  KafkaDeadLetters(KafkaWriteBehindLog<K, V> log, Admin admin) {
    this.log = log;
    this.cacheName = log.cacheName;
    this.topic = log.kafka.deadLetterTopic();
    this.serializer = log.serializer;
    this.admin = admin;
    this.catchUpTimeout = log.kafka.startupTimeout();
    this.producer = new KafkaProducer<>(
        KafkaWriteBehindLog.producerProperties(log.kafka, new Properties()));
    this.consumer = new KafkaConsumer<>(consumerProperties(log.kafka));
    List<TopicPartition> found = new ArrayList<>();
    try {
      for (PartitionInfo info : consumer.partitionsFor(topic, catchUpTimeout)) {
        found.add(new TopicPartition(topic, info.partition()));
      }
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      producer.close(Duration.ZERO);
      throw e;
    }
    this.partitions = List.copyOf(found);
    // outside the group: every node reads every letter, from the beginning
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread = new Thread(this::run, "jotter-kafka-dead-letters-" + cacheName);
    thread.setDaemon(true);
    this.markers = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "jotter-kafka-dead-letter-markers-" + cacheName);
      t.setDaemon(true);
      return t;
    });
  }

  private static Properties consumerProperties(KafkaSettings.Parsed kafka) {
    Properties p = new Properties();
    // the user's consumer settings carry security and tuning; the group's own do not apply here
    p.putAll(kafka.consumer());
    p.remove("group.protocol");
    p.remove("group.instance.id");
    p.remove("group.remote.assignor");
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** The producer of letters and markers; the drain uses it too. */
  KafkaProducer<byte[], byte[]> producer() {
    return producer;
  }

  /** Starts reading the topic and waits (up to {@code startup-timeout}) until it reached its end. */
  void start() {
    thread.start();
    if (!catchUp(catchUpTimeout)) {
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the dead letters of topic "
          + topic + " were not all read within " + catchUpTimeout + "; they are listed as they "
          + "are read");
    }
  }

  private void run() {
    try {
      while (!stopping) {
        Iterable<ConsumerRecord<byte[], byte[]>> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          if (stopping) {
            break;
          }
          // a broker outage, say: keep the letters read so far and try again
          LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": reading the dead "
              + "letters of " + topic + " failed: " + e);
          sleepQuietly();
          continue;
        }
        Map<TopicPartition, Long> reached = new HashMap<>();
        for (TopicPartition partition : partitions) {
          reached.put(partition, consumer.position(partition));
        }
        synchronized (this) {
          for (ConsumerRecord<byte[], byte[]> record : records) {
            apply(record.partition(), record.offset(), record.timestamp(), record.key(),
                record.value(), record.headers());
          }
          positions.putAll(reached);
          notifyAll();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "cache " + cacheName + ": the dead-letter reader of "
          + topic + " stopped", e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the dead-letter reader: " + e);
      }
    }
  }

  private void sleepQuietly() {
    synchronized (this) {
      try {
        wait(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopping = true;
      }
    }
  }

  /**
   * Waits until this view has read every record the topic held when called, at most
   * {@code timeout}; returns whether it did.
   */
  boolean catchUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> ends = new HashMap<>();
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
      admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((p, info) -> ends.put(p, info.offset()));
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(System.Logger.Level.DEBUG, "cache " + cacheName + ": no end offsets of " + topic
          + ": " + e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    synchronized (this) {
      while (!reached(ends)) {
        long wait = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (wait <= 0 || stopping) {
          return false;
        }
        try {
          wait(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      Long position = positions.get(end.getKey());
      if (position == null || position < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Stops the reader and the producer. */
  void close() {
    stopping = true;
    synchronized (this) {
      notifyAll();
    }
    consumer.wakeup();
    markers.shutdown();
    try {
      thread.join(5_000);
      markers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }

  // ---- the topic's records --------------------------------------------------------------------

  /**
   * Applies one record of the topic, read by the reader or just acknowledged to this node's
   * producer (so that this node acts on its own records at once; the reader skips them later).
   */
  synchronized void apply(int partition, long offset, long timestamp, byte[] key, byte[] value,
      Headers headers) {
    if (key == null) {
      return;
    }
    ByteBuffer k = ByteBuffer.wrap(key);
    State<K, V> state = states.computeIfAbsent(k, x -> new State<>());
    if (offset <= state.lastOffset) {
      return;
    }
    state.lastOffset = offset;
    String kind = text(headers, KIND);
    if (kind == null || kind.equals(LETTER)) {
      Held<K, V> held = read(partition, offset, timestamp, key, value, headers);
      if (held == null) {
        return;
      }
      state.watchPartition = held.sourcePartition;
      state.watchFrom = held.sourceOffset;
      state.resubmitted = null;
      // a member that had lost the partition may dead-letter a record already superseded
      boolean stale = held.sourcePartition == state.writtenPartition
          && state.writtenAt > held.sourceOffset;
      setLetter(k, state, stale ? null : held);
    } else if (kind.equals(RESUBMITTED) || kind.equals(DISCARDED)) {
      long resolves = number(headers, RESOLVES, -1);
      if (state.letter != null && state.letter.offset == resolves) {
        Held<K, V> letter = state.letter;
        setLetter(k, state, null);
        state.resubmitted = kind.equals(RESUBMITTED) ? letter : null;
        if (state.resubmitted != null) {
          answers.put(k, letter.letter);
        }
      }
    } else if (kind.equals(SUPERSEDED)) {
      long[] written = position(text(headers, WRITTEN));
      if (written == null) {
        return;
      }
      int p = (int) written[0];
      if (p != state.writtenPartition || written[1] > state.writtenAt) {
        state.writtenPartition = p;
        state.writtenAt = written[1];
      }
      if (state.letter != null && state.letter.sourcePartition == p
          && state.letter.sourceOffset < written[1]) {
        setLetter(k, state, null);
      }
      if (state.resubmitted != null && state.resubmitted.sourcePartition == p
          && state.resubmitted.sourceOffset < written[1]) {
        state.resubmitted = null;
      }
    }
    if (state.letter == null && state.resubmitted == null) {
      answers.remove(k);
    }
  }

  private void setLetter(ByteBuffer k, State<K, V> state, Held<K, V> held) {
    if (state.letter != null) {
      letters.remove(state.letter);
    }
    state.letter = held;
    if (held != null) {
      letters.add(held);
      answers.put(k, held.letter);
    }
  }

  private Held<K, V> read(int partition, long offset, long timestamp, byte[] key, byte[] value,
      Headers headers) {
    K k;
    V v;
    boolean delete = DELETE_OP.equals(text(headers, OP)) || (text(headers, OP) == null
        && value == null);
    try {
      k = serializer.deserializeKey(key);
      v = delete ? null : serializer.deserializeValue(value);
    } catch (RuntimeException e) {
      // a record the drain could not read either: only Kafka's tools can handle it
      unreadable.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the dead letter at " + topic
          + "-" + partition + "@" + offset + " cannot be read (" + e.getClass().getName()
          + "); it is not listed");
      return null;
    }
    Instant first = Instant.ofEpochMilli(number(headers, FIRST_FAILURE, timestamp));
    Instant last = Instant.ofEpochMilli(number(headers, LAST_FAILURE, timestamp));
    String causeClass = text(headers, Drainer.CAUSE_CLASS);
    String causeMessage = text(headers, Drainer.CAUSE_MESSAGE);
    int attempts = (int) Math.max(0, number(headers, Drainer.ATTEMPTS, 0));
    DeadLetter<K, V> letter = DeadLetter.of(this, offset, k, v, attempts, first, last,
        causeClass == null ? "" : causeClass,
        causeMessage == null || causeMessage.isEmpty() ? null : causeMessage);
    long[] source = sourcePosition(text(headers, Drainer.SOURCE));
    return new Held<>(letter, key, delete ? null : value, partition, offset, timestamp,
        source == null ? -1 : (int) source[0], source == null ? -1 : source[1]);
  }

  static final String WRITE_OP = "write";
  static final String DELETE_OP = "delete";

  // ---- what the drain asks ----------------------------------------------------------------------

  /**
   * Whether a resubmitted record (of the letter whose original record was at
   * {@code sourceOffset} of {@code partition}) is stale: a newer record of its key came after
   * that one, and was written or dead-lettered in its turn. Writing it would travel back in time.
   */
  synchronized boolean staleResubmit(byte[] key, int partition, long sourceOffset) {
    State<K, V> state = states.isEmpty() ? null : states.get(ByteBuffer.wrap(key));
    if (state == null) {
      return false;
    }
    return (state.writtenPartition == partition && state.writtenAt > sourceOffset)
        || (state.watchPartition == partition && state.watchFrom > sourceOffset);
  }

  /**
   * Whether writing the record at {@code offset} of {@code partition} makes the key's letter (or
   * a resubmission of it still on its way) stale and nothing said so yet: then the drain
   * produces a superseded marker.
   */
  synchronized boolean supersedes(byte[] key, int partition, long offset) {
    State<K, V> state = states.isEmpty() ? null : states.get(ByteBuffer.wrap(key));
    if (state == null || state.watchPartition != partition || offset <= state.watchFrom) {
      return false;
    }
    return !(state.writtenPartition == partition && state.writtenAt > state.watchFrom);
  }

  /** The record that makes older letters of {@code key} stale. */
  ProducerRecord<byte[], byte[]> supersededMarker(byte[] key, int partition, long offset) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KIND, utf8(SUPERSEDED));
    headers.add(WRITTEN, utf8(partition + "@" + offset));
    headers.add(Drainer.CACHE, utf8(cacheName));
    return new ProducerRecord<>(topic, null, key, null, headers);
  }

  /**
   * The letter or resubmitted letter that answers a read of the key whose entry is gone, or
   * {@code null}; takes no lock.
   */
  DeadLetter<K, V> answer(K key) {
    if (answers.isEmpty()) {
      return null;
    }
    return answers.get(ByteBuffer.wrap(serializer.serializeKey(key)));
  }

  /** Dead letters this node's operators discarded. */
  long discarded() {
    return discarded.get();
  }

  // ---- DeadLetters --------------------------------------------------------------------------------

  @Override
  public String cacheName() {
    return cacheName;
  }

  @Override
  public synchronized int size() {
    return letters.size();
  }

  /**
   * No bound: the dead-letter topic keeps every letter (a letter is never dropped for room), and
   * every node holds them all in memory; watch {@link #size()}. Returns
   * {@link Integer#MAX_VALUE}.
   */
  @Override
  public int capacity() {
    return Integer.MAX_VALUE;
  }

  /**
   * Returns a page of the letters, oldest first (by the time the letter reached the topic),
   * after reading the topic to its end as of the call.
   */
  @Override
  public List<DeadLetter<K, V>> list(int offset, int limit) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    }
    catchUp(catchUpTimeout);
    List<DeadLetter<K, V>> page = new ArrayList<>();
    synchronized (this) {
      int skipped = 0;
      for (Held<K, V> held : letters) {
        if (page.size() >= limit) {
          break;
        }
        if (skipped++ >= offset) {
          page.add(held.letter);
        }
      }
    }
    return page;
  }

  @Override
  public Optional<DeadLetter<K, V>> get(K key) {
    java.util.Objects.requireNonNull(key, "key");
    State<K, V> state;
    synchronized (this) {
      state = states.get(ByteBuffer.wrap(serializer.serializeKey(key)));
      return state == null || state.letter == null ? Optional.empty()
          : Optional.of(state.letter.letter);
    }
  }

  @Override
  public int resubmitAll() {
    return resubmitHeld(select(null));
  }

  @Override
  public int resubmit(Collection<? extends K> keys) {
    java.util.Objects.requireNonNull(keys, "keys");
    return resubmitHeld(select(keys));
  }

  @Override
  public int discardAll() {
    return discardHeld(select(null));
  }

  @Override
  public int discard(Collection<? extends K> keys) {
    java.util.Objects.requireNonNull(keys, "keys");
    return discardHeld(select(keys));
  }

  /** Resubmits {@code letter} if it is still its key's letter (see the class's guarantees). */
  @Override
  public boolean resubmit(DeadLetter<K, V> letter) {
    java.util.Objects.requireNonNull(letter, "letter");
    catchUp(catchUpTimeout);
    Held<K, V> held;
    synchronized (this) {
      State<K, V> state = states.get(ByteBuffer.wrap(serializer.serializeKey(letter.key())));
      held = state == null || state.letter == null || state.letter.offset != letter.id() ? null
          : state.letter;
    }
    return held != null && resubmitHeld(List.of(held)) == 1;
  }

  /** The letters of {@code keys} ({@code null}: all), oldest first, once the topic is read. */
  private List<Held<K, V>> select(Collection<? extends K> keys) {
    catchUp(catchUpTimeout);
    List<ByteBuffer> wanted = null;
    if (keys != null) {
      wanted = new ArrayList<>(keys.size());
      for (K key : keys) {
        wanted.add(ByteBuffer.wrap(serializer.serializeKey(key)));
      }
    }
    List<Held<K, V>> selected = new ArrayList<>();
    synchronized (this) {
      if (wanted == null) {
        selected.addAll(letters);
      } else {
        for (ByteBuffer key : wanted) {
          State<K, V> state = states.get(key);
          if (state != null && state.letter != null && !selected.contains(state.letter)) {
            selected.add(state.letter);
          }
        }
        selected.sort(OLDEST_FIRST);
      }
    }
    return selected;
  }

  /**
   * Produces each letter's operation into the topic of pending writes, then, once Kafka
   * acknowledged it, its resubmitted marker; at {@code SYNC} returns after both are acknowledged,
   * otherwise once the operations are accepted.
   */
  private int resubmitHeld(List<Held<K, V>> chosen) {
    List<CompletableFuture<Boolean>> done = new ArrayList<>();
    List<K> keys = new ArrayList<>();
    for (Held<K, V> held : chosen) {
      CompletableFuture<Boolean> result = new CompletableFuture<>();
      RecordHeaders headers = new RecordHeaders();
      headers.add(RESUBMIT_OF, utf8(held.sourcePartition + "@" + held.sourceOffset));
      boolean accepted = log.resend(held.letter.key(), held.letter.value(), held.key, held.value,
          headers, (metadata, error) -> {
            if (error != null) {
              LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the resubmission "
                  + "of key " + held.letter.key() + " was not acknowledged; its letter stays: "
                  + error);
              result.complete(false);
              return;
            }
            // only now: a marker before an acknowledged operation could lose the letter
            try {
              markers.execute(() ->
                  marker(RESUBMITTED, held).whenComplete((m, e) -> result.complete(true)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
              // closing: the operation is queued, its letter stays listed until it is written
              result.complete(true);
            }
          });
      if (accepted) {
        done.add(result);
        keys.add(held.letter.key());
      }
    }
    int queued = log.isSync() ? waitFor(done) : done.size();
    if (!keys.isEmpty()) {
      LOG.log(System.Logger.Level.INFO, "cache " + cacheName + ": resubmitted " + queued
          + " dead letters: keys " + keys.subList(0, Math.min(100, keys.size())));
    }
    return queued;
  }

  private int discardHeld(List<Held<K, V>> chosen) {
    List<CompletableFuture<Boolean>> done = new ArrayList<>();
    for (Held<K, V> held : chosen) {
      done.add(marker(DISCARDED, held).handle((m, e) -> e == null));
    }
    List<K> keys = new ArrayList<>();
    for (int i = 0; i < done.size(); i++) {
      if (done.get(i).join()) {
        keys.add(chosen.get(i).letter.key());
      }
    }
    discarded.addAndGet(keys.size());
    if (!keys.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": discarded " + keys.size()
          + " dead letters for good: keys " + keys.subList(0, Math.min(100, keys.size())));
    }
    return keys.size();
  }

  private static int waitFor(List<CompletableFuture<Boolean>> done) {
    int count = 0;
    for (CompletableFuture<Boolean> result : done) {
      // bounded by the producers' delivery.timeout.ms
      if (result.join()) {
        count++;
      }
    }
    return count;
  }

  /** Produces a marker resolving {@code held}; applied here once acknowledged. */
  private CompletableFuture<RecordMetadata> marker(String kind, Held<K, V> held) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KIND, utf8(kind));
    headers.add(RESOLVES, utf8(Long.toString(held.offset)));
    headers.add(Drainer.CACHE, utf8(cacheName));
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      producer.send(new ProducerRecord<>(topic, null, held.key, null, headers),
          (metadata, error) -> {
            if (error != null) {
              LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": the " + kind
                  + " marker of key " + held.letter.key() + " was not acknowledged; the "
                  + "letter stays listed: " + error);
              acked.completeExceptionally(error);
              return;
            }
            apply(metadata.partition(), metadata.offset(), metadata.timestamp(), held.key, null,
                headers);
            acked.complete(metadata);
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  // ---- headers ----------------------------------------------------------------------------------

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(Headers headers, String name) {
    Header header = headers == null ? null : headers.lastHeader(name);
    return header == null || header.value() == null ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static long number(Headers headers, String name, long def) {
    String text = text(headers, name);
    if (text == null) {
      return def;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return def;
    }
  }

  /** {@code partition@offset}, or {@code null}. */
  static long[] position(String text) {
    if (text == null) {
      return null;
    }
    int at = text.lastIndexOf('@');
    try {
      return new long[] {Integer.parseInt(text.substring(0, at)),
          Long.parseLong(text.substring(at + 1))};
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The {@value Drainer#SOURCE} header, {@code topic-partition@offset}, or {@code null}. */
  private static long[] sourcePosition(String text) {
    if (text == null) {
      return null;
    }
    int at = text.lastIndexOf('@');
    int dash = at < 0 ? -1 : text.lastIndexOf('-', at);
    return dash < 0 ? null : position(text.substring(dash + 1));
  }
}
