package dev.jotter.kafka;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.OverflowPolicy;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.JournalSerializer;
import dev.jotter.writebehind.DeadLetter;
import dev.jotter.writebehind.DeadLetters;
import dev.jotter.writebehind.FlushResult;
import dev.jotter.writebehind.KeyStatus;
import dev.jotter.writebehind.LocalCopy;
import dev.jotter.writebehind.WriteBehindLog;
import dev.jotter.writebehind.WriteBehindLogContext;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.cache.CacheException;
import javax.cache.integration.CacheWriterException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka log of one cache: the producer side (admission, records, acknowledgement), the local
 * pending state that answers reads, and the {@link Drainer} member of the consumer group.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>Concurrency: {@link #write}/{@link #delete} run inside the key's atomic section and call
 *       {@code producer.send} there, so one key's records enter the producer (and its partition)
 *       in the cache's order; the idempotent producer keeps that order on retries.
 *   <li>Memory: a semaphore of {@code maxPendingOperations} permits bounds the records not yet
 *       acknowledged by Kafka; a permit returns in the send's callback. The pending map holds one
 *       entry per key this node wrote whose record the group has not committed yet.
 *   <li>Confirmation: an entry leaves the pending map once the group's committed offset of its
 *       partition is past its record: at once for partitions this node drains, otherwise when
 *       the committed offsets are read again (every {@code offsets-refresh}).
 *   <li>Failure: a record Kafka refuses fails the mutation at {@code SYNC}; at {@code ASYNC} it is
 *       counted as lost and logged with its key at ERROR.
 * </ul>
 */
final class KafkaWriteBehindLog<K, V> implements WriteBehindLog<K, V> {

  private static final System.Logger LOG =
      System.getLogger(KafkaWriteBehindLog.class.getName());

  /** One key's newest record from this node, until the group commits past it. */
  static final class Entry<V> implements Pending<V> {
    final V value;
    final long sequence;
    final long acceptedNanos;
    volatile int partition = -1;
    volatile long offset = -1;

    Entry(V value, long sequence, long acceptedNanos) {
      this.value = value;
      this.sequence = sequence;
      this.acceptedNanos = acceptedNanos;
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

  /** What {@link #admit} reserved: a permit, then the send's future. */
  static final class Slot implements Ticket {
    static final int SENDING = 0;
    static final int ACCEPTED = 1;
    static final int FAILED_IN_SEND = 2;
    final AtomicBoolean permitHeld = new AtomicBoolean(true);
    /** Tells a failure inside {@code send()} (the mutation fails) from a later one. */
    final java.util.concurrent.atomic.AtomicInteger state =
        new java.util.concurrent.atomic.AtomicInteger(SENDING);
    Future<RecordMetadata> sent;
    Object key;
  }

  /** The JMX type of {@link KafkaLogMXBean}. */
  static final String JMX_TYPE = "CacheKafkaLog";

  final String cacheName;
  final WriteBehindConfiguration settings;
  final KafkaSettings.Parsed kafka;
  final JournalSerializer<K, V> serializer;
  private final Durability durability;
  private final Semaphore permits;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  private final ScheduledExecutorService refresher;
  private final Drainer<K, V> drainer;
  private final KafkaDeadLetters<K, V> letters;
  final KafkaMeters meters;
  private final ConcurrentHashMap<K, Entry<V>> pending = new ConcurrentHashMap<>();
  /**
   * Per partition, this node's acknowledged records in offset order (the producer calls back in
   * that order within a partition) until the group commits past them: a commit visits only the
   * entries it confirms, not the whole pending map (which, scanned after every batch, halved the
   * drain's rate at 65,536 pending keys).
   */
  private final ConcurrentHashMap<Integer, ArrayDeque<Acked<K, V>>> acked =
      new ConcurrentHashMap<>();

  /** A key and the entry Kafka acknowledged for it. */
  private record Acked<K, V>(K key, Entry<V> entry) {}

  private final ConcurrentHashMap<Integer, Long> committed = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition confirmed = lock.newCondition();
  private volatile boolean closing;
  /** The tail reader that keeps this node's cache coherent; null with {@code coherence none}. */
  private volatile Coherence<K, V> coherence;
  private final KafkaLogBean bean;
  private final javax.management.ObjectName beanName;

  private KafkaWriteBehindLog(WriteBehindLogContext<K, V> context, KafkaSettings.Parsed kafka,
      Admin admin) {
    this.cacheName = context.cacheName();
    this.settings = context.settings();
    this.kafka = kafka;
    this.serializer = context.serializer();
    this.durability = settings.durability();
    this.permits = new Semaphore(settings.maxPendingOperations());
    this.admin = admin;
    this.meters = new KafkaMeters();
    this.bean = new KafkaLogBean(meters, this::coherence);
    this.beanName = dev.jotter.management.MBeans.name(JMX_TYPE, context.managerUri(), cacheName);
    this.producer = new KafkaProducer<>(producerProperties(kafka, settings));
    try {
      this.letters = new KafkaDeadLetters<>(this, admin);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    this.drainer = new Drainer<>(this, context, letters);
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jotter-kafka-offsets-" + cacheName);
      t.setDaemon(true);
      return t;
    });
  }

  /** Checks the cluster and the topics, then starts the producer and this node's member. */
  static <K, V> KafkaWriteBehindLog<K, V> open(WriteBehindLogContext<K, V> context) {
    WriteBehindConfiguration settings = context.settings();
    if (settings.overflowPolicy() == OverflowPolicy.WRITE_THROUGH) {
      throw new CacheException("cache " + context.cacheName() + ": overflowPolicy WRITE_THROUGH "
          + "cannot be used with the Kafka log (a direct write could be overtaken by an older "
          + "record of its key still in the topic); use BLOCK or FAIL");
    }
    KafkaSettings.Parsed kafka = KafkaSettings.parse(context.cacheName(), settings.logSettings());
    Admin admin = TopicCheck.admin(kafka);
    try {
      TopicCheck.check(context.cacheName(), kafka, admin);
      KafkaWriteBehindLog<K, V> log = new KafkaWriteBehindLog<>(context, kafka, admin);
      log.start();
      return log;
    } catch (org.apache.kafka.common.KafkaException e) {
      admin.close(Duration.ZERO);
      throw new CacheException("cache " + context.cacheName() + ": cannot start the Kafka log on "
          + kafka.bootstrapServers() + ": " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
  }

  private void start() {
    dev.jotter.management.MBeans.register(bean, beanName);
    // the letters first: reads of a dead-lettered key must find its letter (contract clause 7)
    letters.start();
    drainer.start();
    long refresh = kafka.offsetsRefresh().toMillis();
    refresher.scheduleWithFixedDelay(this::refreshCommitted, refresh, refresh,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Starts the tail reader that applies the other nodes' records to this node's cache (unless
   * {@code coherence} is {@code none}) and waits, at most {@code startup-timeout}, until it has
   * read the records the group has not drained yet.
   */
  @Override
  public void attach(LocalCopy<K, V> copy) {
    if (kafka.coherence() == KafkaSettings.Coherence.NONE || coherence != null) {
      return;
    }
    Coherence<K, V> tail = new Coherence<>(cacheName, kafka, serializer, this::groupOffsets, copy,
        kafka.coherence() == KafkaSettings.Coherence.UPDATE ? LocalCopy.Mode.UPDATE
            : LocalCopy.Mode.INVALIDATE);
    coherence = tail;
    tail.start(kafka.startupTimeout());
  }

  /** The tail reader, or null. */
  Coherence<K, V> coherence() {
    return coherence;
  }

  private static Properties producerProperties(KafkaSettings.Parsed kafka,
      WriteBehindConfiguration settings) {
    Properties p = new Properties();
    // blocking in send() (metadata, a full buffer) is bounded by the cache's block timeout
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(settings.blockTimeout().toMillis()));
    return producerProperties(kafka, p);
  }

  /**
   * The settings of every producer of the log: {@code defaults}, then the user's
   * {@code producer.*}, then what no user setting may change (the servers, {@code acks=all},
   * idempotence, byte arrays).
   */
  static Properties producerProperties(KafkaSettings.Parsed kafka, Properties defaults) {
    Properties p = defaults;
    p.putAll(kafka.producer());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  // ---- the route: admission, records, acknowledgement -----------------------------------------

  @Override
  public Ticket admit(K key) {
    if (closing) {
      throw new CacheWriterException("cache " + cacheName + " is closing");
    }
    if (!permits.tryAcquire()) {
      meters.overflowEvents.incrementAndGet();
      boolean got = false;
      if (settings.overflowPolicy() == OverflowPolicy.BLOCK) {
        try {
          got = permits.tryAcquire(settings.blockTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (!got) {
        throw new CacheWriterException("cache " + cacheName + ": "
            + settings.maxPendingOperations() + " records wait for Kafka's acknowledgement ("
            + "maxPendingOperations; overflowPolicy " + settings.overflowPolicy() + ")");
      }
    }
    return new Slot();
  }

  @Override
  public void write(Ticket ticket, K key, V value) {
    send((Slot) ticket, key, value);
  }

  @Override
  public void delete(Ticket ticket, K key) {
    send((Slot) ticket, key, null);
  }

  private void send(Slot slot, K key, V value) {
    byte[] keyBytes = serializer.serializeKey(key);
    byte[] valueBytes = value == null ? null : serializer.serializeValue(value);
    Entry<V> entry = new Entry<>(value, sequence.incrementAndGet(), System.nanoTime());
    long start = System.nanoTime();
    // in the map before the send, so that its callback (which may come at once) finds it
    Entry<V> previous = pending.put(key, entry);
    slot.key = key;
    Coherence<K, V> tail = coherence;
    RecordHeaders headers = new RecordHeaders();
    Long mark = null;
    if (tail != null) {
      tail.stamp(headers, entry.sequence);
      mark = tail.sending(keyBytes, entry.sequence);
    }
    try {
      sendRecord(slot, key, keyBytes, valueBytes, headers, entry, start);
    } catch (RuntimeException e) {
      // the mutation is aborted: the key's pending state is what it was
      if (previous == null) {
        pending.remove(key, entry);
      } else {
        pending.replace(key, entry, previous);
      }
      if (tail != null) {
        tail.aborted(keyBytes, entry.sequence, mark);
      }
      throw e;
    }
  }

  private void sendRecord(Slot slot, K key, byte[] keyBytes, byte[] valueBytes, Headers headers,
      Entry<V> entry, long start) {
    // the default partitioner hashes the key bytes: one key, one partition, from every node
    slot.sent = producer.send(new ProducerRecord<>(kafka.topic(), null, keyBytes, valueBytes,
            headers),
        (metadata, error) -> {
          if (slot.permitHeld.compareAndSet(true, false)) {
            permits.release();
          }
          if (error == null) {
            meters.produced(System.nanoTime() - start);
            acknowledged(key, entry, metadata);
          } else if (slot.state.compareAndSet(Slot.SENDING, Slot.FAILED_IN_SEND)) {
            // within send() (no metadata within max.block.ms, say): send() fails the mutation
            meters.produceFailures.incrementAndGet();
          } else {
            // out of the pending state before it is counted, so that a reader of the counter
            // never sees the lost record still pending
            removeConfirmed(key, entry);
            Coherence<K, V> tail = coherence;
            if (tail != null) {
              tail.refused(key, keyBytes, entry.sequence);
            }
            meters.produceFailures.incrementAndGet();
            if (durability != Durability.SYNC) {
              meters.lost.incrementAndGet();
              LOG.log(System.Logger.Level.ERROR, "cache " + cacheName + ": Kafka refused the "
                  + "record of key " + key + "; the write is lost: " + error);
            }
          }
        });
    if (!slot.state.compareAndSet(Slot.SENDING, Slot.ACCEPTED)) {
      Throwable cause = null;
      try {
        slot.sent.get();
      } catch (ExecutionException e) {
        cause = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cause = e;
      }
      slot.sent = null;
      throw new CacheWriterException("cache " + cacheName + ": Kafka did not accept the record "
          + "of key " + key + "; the mutation is not applied", cause);
    }
  }

  @Override
  public void release(Ticket ticket) {
    Slot slot = (Slot) ticket;
    if (slot.sent == null) {
      if (slot.permitHeld.compareAndSet(true, false)) {
        permits.release();
      }
      return;
    }
    if (durability != Durability.SYNC) {
      return;
    }
    try {
      slot.sent.get();
    } catch (ExecutionException e) {
      throw new CacheWriterException("cache " + cacheName + ": Kafka did not acknowledge the "
          + "record of key " + slot.key + "; the mutation is not acknowledged", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriterException("cache " + cacheName + ": interrupted while waiting for "
          + "Kafka's acknowledgement of key " + slot.key, e);
    }
  }

  /**
   * This node's newest unconfirmed record of the key, else the key's dead letter (or a
   * resubmitted letter not yet written), as the cache's own buffer answers: never the loader
   * while the writer does not hold the key's newest state.
   */
  @Override
  public Pending<V> pending(K key) {
    Entry<V> entry = pending.get(key);
    Coherence<K, V> tail = coherence;
    Pending<V> newest = tail == null ? entry
        : tail.newer(key, entry, entry == null ? -1 : entry.sequence);
    return newest != null ? newest : letters.answer(key);
  }

  boolean isSync() {
    return durability == Durability.SYNC;
  }

  /**
   * Produces a dead letter's operation again into the topic, as a new record of this node that
   * answers reads until the group commits past it; refused ({@code false}) while closing or while
   * this node has a newer unconfirmed record of the key (which makes the letter stale). Beyond
   * {@code maxPendingOperations}, like the core's resubmission.
   */
  boolean resend(K key, V value, byte[] keyBytes, byte[] valueBytes,
      org.apache.kafka.common.header.Headers headers,
      org.apache.kafka.clients.producer.Callback then) {
    if (closing) {
      return false;
    }
    Entry<V> entry = new Entry<>(value, sequence.incrementAndGet(), System.nanoTime());
    if (pending.putIfAbsent(key, entry) != null) {
      return false;
    }
    long start = System.nanoTime();
    try {
      producer.send(new ProducerRecord<>(kafka.topic(), null, keyBytes, valueBytes, headers),
          (metadata, error) -> {
            if (error == null) {
              meters.produced(System.nanoTime() - start);
              acknowledged(key, entry, metadata);
            } else {
              removeConfirmed(key, entry);
              meters.produceFailures.incrementAndGet();
            }
            then.onCompletion(metadata, error);
          });
      return true;
    } catch (RuntimeException e) {
      pending.remove(key, entry);
      LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": Kafka did not accept the "
          + "resubmission of key " + key + "; its letter stays: " + e);
      return false;
    }
  }

  // ---- confirmation by the group's committed offsets -----------------------------------------

  /** The drainer committed {@code offsets} (next offsets to read) for its partitions. */
  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      int partition = e.getKey().partition();
      long next = e.getValue().offset();
      Long old = committed.get(partition);
      if (old == null || old < next) {
        long done = committed.merge(partition, next, Math::max);
        prune(partition, done);
        Coherence<K, V> tail = coherence;
        if (tail != null) {
          tail.committed(partition, done);
        }
      }
    }
  }

  /** Kafka acknowledged {@code entry}: queued for its partition's commit, or confirmed now. */
  private void acknowledged(K key, Entry<V> entry, RecordMetadata metadata) {
    int partition = metadata.partition();
    entry.partition = partition;
    entry.offset = metadata.offset();
    ArrayDeque<Acked<K, V>> queue = acked.computeIfAbsent(partition, p -> new ArrayDeque<>());
    synchronized (queue) {
      queue.add(new Acked<>(key, entry));
    }
    // after the add: a commit that came before it is seen here, one after it finds the entry
    Long done = committed.get(partition);
    if (done != null && done > entry.offset) {
      prune(partition, done);
    }
  }

  /** The group's committed offsets of the topic's partitions (those it has committed). */
  Map<TopicPartition, OffsetAndMetadata> groupOffsets()
      throws ExecutionException, TimeoutException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(kafka.group())
        .partitionsToOffsetAndMetadata().get(kafka.startupTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetAndMetadata> ours = new java.util.HashMap<>();
    offsets.forEach((tp, om) -> {
      if (om != null && tp.topic().equals(kafka.topic())) {
        ours.put(tp, om);
      }
    });
    return ours;
  }

  private void refreshCommitted() {
    Coherence<K, V> tail = coherence;
    if (pending.isEmpty() && (tail == null || !tail.holdsRecords())) {
      return;
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> ours = groupOffsets();
      // a record behind the committed offset may have become a letter: only once this node has
      // read the letters written before, may its pending state stop answering (clause 7)
      if (letters.catchUp(kafka.offsetsRefresh())) {
        committed(ours);
      }
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(System.Logger.Level.DEBUG, "cache " + cacheName + ": could not read the group's "
          + "committed offsets: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Confirms this node's acknowledged entries of {@code partition} below offset {@code done}. */
  private void prune(int partition, long done) {
    ArrayDeque<Acked<K, V>> queue = acked.get(partition);
    if (queue == null) {
      return;
    }
    boolean removed = false;
    synchronized (queue) {
      for (Acked<K, V> a = queue.peek(); a != null && a.entry().offset < done; a = queue.peek()) {
        queue.poll();
        // only this entry: a newer one of the key, still pending, stays
        removed |= pending.remove(a.key(), a.entry());
      }
    }
    if (removed) {
      signal();
    }
  }

  private void removeConfirmed(K key, Entry<V> entry) {
    if (pending.remove(key, entry)) {
      signal();
    }
  }

  private void signal() {
    lock.lock();
    try {
      confirmed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether an entry of sequence at most {@code upTo} is still pending. */
  private long pendingUpTo(long upTo) {
    return pending.values().stream().filter(e -> e.sequence <= upTo).count();
  }

  // ---- operators -------------------------------------------------------------------------------

  /** The figures of {@link KafkaLogMXBean}, for JMX and {@link KafkaLogMetrics}. */
  KafkaLogMXBean figures() {
    return bean;
  }

  @Override
  public String cacheName() {
    return cacheName;
  }

  /**
   * Waits until every record this node acknowledged before the call is behind the group's
   * committed offset: written by some member, or in the dead-letter topic.
   */
  @Override
  public FlushResult flush(Duration timeout) {
    long start = System.nanoTime();
    long upTo = sequence.get();
    long deadLetteredBefore = meters.deadLettered.get();
    long writtenBefore = meters.written.get();
    if (!closing) {
      producer.flush();
    }
    long deadline = start + timeout.toNanos();
    long left = pendingUpTo(upTo);
    lock.lock();
    try {
      while (left > 0) {
        long wait = deadline - System.nanoTime();
        if (wait <= 0) {
          break;
        }
        lock.unlock();
        try {
          refreshCommitted();
        } finally {
          lock.lock();
        }
        left = pendingUpTo(upTo);
        if (left > 0) {
          confirmed.awaitNanos(Math.min(wait, kafka.offsetsRefresh().toNanos()));
          left = pendingUpTo(upTo);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    return new FlushResult(left == 0, meters.written.get() - writtenBefore,
        meters.deadLettered.get() - deadLetteredBefore, 0, left,
        Duration.ofNanos(System.nanoTime() - start));
  }

  @Override
  public WriteBehindStatistics statistics() {
    long oldest = pending.values().stream().mapToLong(e -> e.acceptedNanos).min()
        .orElse(System.nanoTime());
    return new WriteBehindStatistics(pending.size(),
        Duration.ofNanos(Math.max(0, System.nanoTime() - oldest)), meters.coalesced.get(),
        meters.written.get(), meters.writerCalls.get(), meters.batches.get(),
        meters.retried.get(), meters.failed.get(), meters.deadLettered.get(), meters.lost.get(),
        meters.overflowEvents.get(), letters.size(), letters.discarded(), 0, Duration.ZERO);
  }

  /**
   * The letters of the dead-letter topic, shared by every node (see {@link KafkaDeadLetters}):
   * listed, resubmitted and discarded through the cache's API and JMX on any node.
   */
  @Override
  public DeadLetters<K, V> deadLetters() {
    return letters;
  }

  /**
   * What this node knows of a key, consistent with {@link #pending}: its newest record from this
   * node waits until the group commits past it ({@link KeyStatus.State#WAITING}); else, if the key
   * has a dead letter, {@link KeyStatus.State#DEAD_LETTER}; a letter resubmitted but not yet
   * written is a write on its way ({@link KeyStatus.State#WAITING}, with its first failure as
   * {@code acceptedAt}); else {@link KeyStatus.State#CONFIRMED}. Retries happen in whichever
   * member drains the key's partition and are not reported here.
   */
  @Override
  public KeyStatus<K, V> status(K key) {
    Entry<V> entry = pending.get(key);
    Coherence<K, V> tail = coherence;
    if (tail != null && tail.newer(key, entry, entry == null ? -1 : entry.sequence)
        instanceof Coherence.Remote<V> remote) {
      // another node's newer record, not drained yet
      return KeyStatus.waiting(key, remote.value, Instant.ofEpochMilli(remote.timestamp));
    }
    if (entry == null) {
      Optional<DeadLetter<K, V>> letter = letters.get(key);
      if (letter.isPresent()) {
        return KeyStatus.dead(letter.get());
      }
      DeadLetter<K, V> resubmitted = letters.answer(key);
      return resubmitted == null ? KeyStatus.confirmed(key)
          : KeyStatus.waiting(key, resubmitted.value(), resubmitted.firstFailure());
    }
    Instant acceptedAt = Instant.now().minusNanos(System.nanoTime() - entry.acceptedNanos);
    return KeyStatus.waiting(key, entry.value, acceptedAt);
  }

  // ---- closing ---------------------------------------------------------------------------------

  /** Refuses new mutations; the producer goes on sending what it holds, {@link #close} waits. */
  @Override
  public void beginClose() {
    closing = true;
  }

  /**
   * Sends what the producer holds, waits up to {@code drainTimeout} for the group to commit what
   * this node acknowledged, then leaves the group; records not yet drained stay in the topic for
   * the other members (or the next start), so nothing acknowledged is dropped.
   */
  @Override
  public void close() {
    closing = true;
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    try {
      producer.close(settings.drainTimeout());
      FlushResult flushed = flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (!flushed.completed()) {
        List<K> keys = new ArrayList<>(pending.keySet());
        LOG.log(System.Logger.Level.WARNING, "cache " + cacheName + ": closing with "
            + keys.size() + " records not yet drained; they stay in topic " + kafka.topic()
            + " for the group " + kafka.group() + ": keys " + keys.subList(0,
            Math.min(100, keys.size())));
      }
    } finally {
      // leaving the group cleanly hands this node's partitions over at once: worth a few seconds
      drainer.stop(Duration.ofNanos(Math.max(Duration.ofSeconds(5).toNanos(),
          deadline - System.nanoTime())));
      Coherence<K, V> tail = coherence;
      if (tail != null) {
        tail.stop(Duration.ofSeconds(5));
      }
      letters.close();
      refresher.shutdownNow();
      admin.close(Duration.ZERO);
      dev.jotter.management.MBeans.unregister(bean, beanName);
    }
  }
}
