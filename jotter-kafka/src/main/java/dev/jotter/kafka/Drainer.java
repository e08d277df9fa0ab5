package dev.jotter.kafka;

import dev.jotter.writebehind.Backoff;
import dev.jotter.writebehind.DeadLetterHandler;
import dev.jotter.writebehind.WriteBehindListener;
import dev.jotter.writebehind.WriteBehindLogContext;
import dev.jotter.writer.Fenced;
import dev.jotter.writer.FencedCacheWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * This node's member of the consumer group that drains a cache's topic to its writer.
 *
 * <ul>
 *   <li>A batch is what one poll returns: at most {@code batchSize} records
 *       ({@code max.poll.records}). Within it each key keeps only its last record (its partition's
 *       order), so a key appears once and the writes and deletes of a batch can go in two calls
 *       without reordering a key.
 *   <li>Partial failure: the entries the writer leaves in its collection failed, the rest are
 *       written. A call that fails without writing anything is split in halves until the failing
 *       records are isolated, so a poison record does not hold back the others.
 *   <li>Each failing record is retried with the cache's back-off until {@code maxAttempts} or
 *       {@code maxRetryTime}; then it goes to the dead-letter topic with its cause, attempts and
 *       failure times in headers ({@link KafkaDeadLetters}).
 *   <li>A written record of a key with a letter makes the letter stale: a superseded marker goes
 *       to the dead-letter topic before the commit. A resubmitted record is skipped when a newer
 *       record of its key came after its letter (writing it would travel back in time).
 *   <li>Before the first batch after an assignment the node's view of the dead letters reads
 *       the topic to its end, so that it knows the letters the partitions' previous owner made.
 *   <li>Offsets are committed only after every record of the batch is written or dead-lettered;
 *       a member that dies before leaves the batch to its successor (at-least-once).
 *   <li>Closing stops between attempts without committing: the other members take over.
 *   <li>Between attempts the member keeps polling, with its partitions paused, at least every
 *       quarter of {@code max.poll.interval.ms}: a back-off (or a whole retry budget) longer than
 *       that interval never evicts it from the group, which would hand its batch to another
 *       member and start a rebalance storm among members whose database is down. A batch whose
 *       partitions are revoked meanwhile is left to their new owner.
 * </ul>
 */
final class Drainer<K, V> {

  private static final System.Logger LOG = System.getLogger(Drainer.class.getName());

  /** The header names of a dead-letter record. */
  static final String CAUSE_CLASS = "jotter.cause.class";
  static final String CAUSE_MESSAGE = "jotter.cause.message";
  static final String ATTEMPTS = "jotter.attempts";
  static final String SOURCE = "jotter.source";
  static final String CACHE = "jotter.cache";

  /**
   * One key's last record in a batch, with its retry state; its fencing token is the record's
   * offset in the key's partition.
   */
  static final class Op<K, V> implements Cache.Entry<K, V>, Fenced<K, V> {
    final K key;
    final V value;
    final ConsumerRecord<byte[], byte[]> record;
    int attempts;
    long firstFailureNanos;
    long lastFailureNanos;
    Throwable lastFailure;

    Op(K key, V value, ConsumerRecord<byte[], byte[]> record) {
      this.key = key;
      this.value = value;
      this.record = record;
    }

    @Override
    public boolean isDelete() {
      return record.value() == null;
    }

    @Override
    public K key() {
      return key;
    }

    @Override
    public V value() {
      return value;
    }

    @Override
    public long token() {
      return record.offset();
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      throw new IllegalArgumentException("cannot unwrap to " + clazz);
    }
  }

  private final KafkaWriteBehindLog<K, V> log;
  private final WriteBehindLogContext<K, V> context;
  private final CacheWriter<Object, Object> writer;
  /** The writer as a fenced one, or null: then stale writes of a zombie member can land. */
  private final FencedCacheWriter<K, V> fenced;
  private final WriteBehindListener listener;
  private final Backoff backoff;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetters;
  private final KafkaDeadLetters<K, V> letters;
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  /** Set on an assignment: the letters of the new partitions' previous owner must be read first. */
  private volatile boolean catchUp = true;
  /** How often the member polls while it waits between attempts. */
  private final long pollSliceNanos;
  /** The partitions of the batch being drained; revoking one of them abandons the batch. */
  private final java.util.Set<TopicPartition> batchPartitions = new java.util.HashSet<>();
  private boolean batchRevoked;
  /** The ops of the current batch that the writer wrote. */
  private final List<Op<K, V>> writtenOps = new ArrayList<>();

  @SuppressWarnings("unchecked")
  Drainer(KafkaWriteBehindLog<K, V> log, WriteBehindLogContext<K, V> context,
      KafkaDeadLetters<K, V> letters) {
    this.log = log;
    this.context = context;
    this.writer = (CacheWriter<Object, Object>) context.writer();
    this.fenced = context.writer() instanceof FencedCacheWriter<?, ?> f
        ? (FencedCacheWriter<K, V>) f : null;
    this.listener = context.listener();
    this.backoff = new Backoff(log.settings);
    Properties properties = consumerProperties(log);
    this.consumer = new KafkaConsumer<>(properties);
    this.pollSliceNanos = pollSlice(properties);
    this.letters = letters;
    this.deadLetters = letters.producer();
    this.thread = new Thread(this::run, "jotter-kafka-drain-" + log.cacheName);
    thread.setDaemon(true);
  }

  private static Properties consumerProperties(KafkaWriteBehindLog<?, ?> log) {
    Properties p = new Properties();
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putAll(log.kafka.consumer());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, log.kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, log.kafka.group());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(log.settings.batchSize()));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** A quarter of {@code max.poll.interval.ms}, at most a second. */
  static long pollSlice(Properties properties) {
    long interval = 300_000;
    Object configured = properties.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
    if (configured != null) {
      try {
        interval = Long.parseLong(configured.toString().trim());
      } catch (NumberFormatException e) {
        // the consumer refuses it at its creation
      }
    }
    return TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(1_000, interval / 4)));
  }

  void start() {
    consumer.subscribe(List.of(log.kafka.topic()), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
          log.meters.rebalances.incrementAndGet();
        }
        for (TopicPartition p : partitions) {
          log.meters.lagRecords.remove(p.partition());
          log.meters.oldestUncommitted.remove(p.partition());
          if (batchPartitions.contains(p)) {
            batchRevoked = true;
          }
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
          log.meters.rebalances.incrementAndGet();
          catchUp = true;
        }
        LOG.log(System.Logger.Level.DEBUG, "cache " + log.cacheName + ": drains partitions "
            + partitions);
      }
    });
    thread.start();
  }

  /** Stops after the current attempt, leaves the group, waits at most {@code timeout}. */
  void stop(Duration timeout) {
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.log(System.Logger.Level.WARNING, "cache " + log.cacheName + ": the drain did not stop "
          + "within the drain timeout; its batch stays uncommitted for the other members");
      thread.interrupt();
    }
  }

  private boolean stopped() {
    return stopping.getCount() == 0;
  }

  private void run() {
    try {
      while (!stopped()) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(
              Math.max(1, Math.min(500, log.settings.maxWriteDelay().toMillis()))));
        } catch (WakeupException e) {
          break;
        }
        measureLag(records);
        if (records.isEmpty()) {
          continue;
        }
        // the records' letters, made by the partitions' previous owner before it committed, are
        // in the topic: without them a written key would keep a stale letter
        if (catchUp) {
          if (!letters.catchUp(CATCH_UP)) {
            LOG.log(System.Logger.Level.WARNING, "cache " + log.cacheName + ": the dead letters "
                + "were not read within " + CATCH_UP + "; the batch waits");
            rewind(records);
            continue;
          }
          catchUp = false;
        }
        if (drain(records)) {
          commit(records);
        } else if (!stopped()) {
          rewind(records);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "cache " + log.cacheName + ": the Kafka drain stopped; "
          + "this node's partitions go to the other members", e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the consumer: " + e);
      }
    }
  }

  /** How long a batch waits for the dead letters to be read; well below max.poll.interval.ms. */
  private static final Duration CATCH_UP = Duration.ofSeconds(5);

  private void measureLag(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      log.meters.oldestUncommitted.putIfAbsent(partition.partition(),
          records.records(partition).get(0).timestamp());
    }
    long now = System.currentTimeMillis();
    for (TopicPartition partition : consumer.assignment()) {
      long lag = consumer.currentLag(partition).orElse(-1);
      log.meters.lagRecords.put(partition.partition(), lag);
      if (lag > 0) {
        // behind by records not fetched yet: they are at least this old
        log.meters.oldestUncommitted.putIfAbsent(partition.partition(), now);
      }
    }
  }

  /** Reads an unfinished batch again, so that no later commit skips it. */
  private void rewind(ConsumerRecords<byte[], byte[]> records) {
    java.util.Set<TopicPartition> assigned = consumer.assignment();
    for (TopicPartition partition : records.partitions()) {
      // a partition revoked meanwhile is its new owner's, from the group's committed offset
      if (assigned.contains(partition)) {
        consumer.seek(partition, records.records(partition).get(0).offset());
      }
    }
  }

  private void commit(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(partition);
      offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
    }
    try {
      consumer.commitSync(offsets);
      log.committed(offsets);
      offsets.keySet().forEach(p -> log.meters.oldestUncommitted.remove(p.partition()));
    } catch (WakeupException e) {
      // closing: commit once more without a wake-up in the way
      consumer.commitSync(offsets);
      log.committed(offsets);
      stopping.countDown();
    } catch (KafkaException e) {
      // lost the partitions meanwhile (a rebalance): their new owner writes the batch again
      LOG.log(System.Logger.Level.WARNING, "cache " + log.cacheName + ": could not commit "
          + offsets.size() + " partitions (" + e + "); the batch will be written again");
    }
  }

  /**
   * Writes a batch; returns whether every record is written or dead-lettered (false only when
   * closing interrupted the retries).
   */
  boolean drain(ConsumerRecords<byte[], byte[]> records) {
    batchPartitions.clear();
    batchPartitions.addAll(records.partitions());
    batchRevoked = false;
    try {
      return drainBatch(records);
    } finally {
      batchPartitions.clear();
    }
  }

  private boolean drainBatch(ConsumerRecords<byte[], byte[]> records) {
    log.meters.batches.incrementAndGet();
    Map<ByteBuffer, ConsumerRecord<byte[], byte[]>> last = new LinkedHashMap<>();
    int count = 0;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      count++;
      ByteBuffer key = ByteBuffer.wrap(record.key());
      long[] resubmitOf = resubmitOf(record);
      ConsumerRecord<byte[], byte[]> before = last.get(key);
      if (resubmitOf != null && before != null && resubmitOf(before) == null
          && before.partition() == resubmitOf[0] && before.offset() > resubmitOf[1]) {
        // a newer mutation came between the letter and its resubmission: it stays the last
        log.meters.coalesced.incrementAndGet();
        staleResubmission(record);
        continue;
      }
      // remove first, so that a key's place is its last record's
      if (last.remove(key) != null) {
        log.meters.coalesced.incrementAndGet();
      }
      last.put(key, record);
    }
    writtenOps.clear();
    List<Op<K, V>> writes = new ArrayList<>();
    List<Op<K, V>> deletes = new ArrayList<>();
    List<Op<K, V>> dead = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : last.values()) {
      long[] resubmitOf = resubmitOf(record);
      if (resubmitOf != null
          && letters.staleResubmit(record.key(), (int) resubmitOf[0], resubmitOf[1])) {
        staleResubmission(record);
        continue;
      }
      Op<K, V> op;
      try {
        op = new Op<>(context.serializer().deserializeKey(record.key()),
            record.value() == null ? null : context.serializer().deserializeValue(record.value()),
            record);
      } catch (RuntimeException e) {
        op = new Op<>(null, null, record);
        op.attempts = 1;
        op.firstFailureNanos = System.nanoTime();
        op.lastFailureNanos = op.firstFailureNanos;
        op.lastFailure = e;
        dead.add(op);
        continue;
      }
      (op.isDelete() ? deletes : writes).add(op);
    }
    LOG.log(System.Logger.Level.DEBUG, "cache " + log.cacheName + ": batch of " + count
        + " records, " + writes.size() + " writes, " + deletes.size() + " deletes");
    Deque<List<Op<K, V>>> work = new ArrayDeque<>();
    if (!writes.isEmpty()) {
      work.add(writes);
    }
    if (!deletes.isEmpty()) {
      work.add(deletes);
    }
    while (!work.isEmpty()) {
      List<Op<K, V>> retry = new ArrayList<>();
      while (!work.isEmpty()) {
        List<Op<K, V>> group = work.poll();
        List<Op<K, V>> failed = call(group);
        if (failed.isEmpty()) {
          continue;
        }
        if (failed.size() == group.size() && group.size() > 1) {
          // nothing written: split to isolate the failing records
          int half = group.size() / 2;
          work.addFirst(new ArrayList<>(group.subList(half, group.size())));
          work.addFirst(new ArrayList<>(group.subList(0, half)));
          continue;
        }
        for (Op<K, V> op : failed) {
          if (spent(op)) {
            dead.add(op);
          } else {
            log.meters.retried.incrementAndGet();
            retry.add(op);
          }
        }
      }
      if (retry.isEmpty()) {
        break;
      }
      int failures = retry.stream().mapToInt(op -> op.attempts).min().orElse(1);
      if (await(backoff.delayNanos(failures, ThreadLocalRandom.current().nextDouble()))) {
        return false;
      }
      List<Op<K, V>> retryWrites = new ArrayList<>();
      List<Op<K, V>> retryDeletes = new ArrayList<>();
      for (Op<K, V> op : retry) {
        (op.isDelete() ? retryDeletes : retryWrites).add(op);
      }
      if (!retryWrites.isEmpty()) {
        work.add(retryWrites);
      }
      if (!retryDeletes.isEmpty()) {
        work.add(retryDeletes);
      }
    }
    return deadLetter(dead);
  }

  /** Calls the writer; returns the ops that failed, each charged one attempt. */
  @SuppressWarnings("unchecked")
  private List<Op<K, V>> call(List<Op<K, V>> group) {
    boolean delete = group.get(0).isDelete();
    log.meters.writerCalls.incrementAndGet();
    long start = System.nanoTime();
    List<Op<K, V>> failed;
    Throwable error = null;
    if (fenced != null) {
      List<Fenced<K, V>> ops = new ArrayList<>(group);
      try {
        fenced.applyAll(ops);
        ops.clear();
      } catch (Throwable e) {
        error = e;
      }
      failed = new ArrayList<>();
      for (Fenced<K, V> op : ops) {
        failed.add((Op<K, V>) op);
      }
    } else if (delete) {
      List<Object> keys = new ArrayList<>(group.size());
      Map<Object, Op<K, V>> byKey = new HashMap<>();
      for (Op<K, V> op : group) {
        keys.add(op.key);
        byKey.put(op.key, op);
      }
      try {
        writer.deleteAll(keys);
        keys.clear();
      } catch (Throwable e) {
        // anything the writer throws is a failed call, never the end of this member's thread
        error = e;
      }
      failed = new ArrayList<>();
      for (Object key : keys) {
        failed.add(byKey.get(key));
      }
    } else {
      List<Cache.Entry<?, ?>> entries = new ArrayList<>(group);
      try {
        writeAll(entries);
        entries.clear();
      } catch (Throwable e) {
        error = e;
      }
      failed = new ArrayList<>();
      for (Cache.Entry<?, ?> entry : entries) {
        @SuppressWarnings("unchecked")
        Op<K, V> op = (Op<K, V>) entry;
        failed.add(op);
      }
    }
    // what the writer left in its collection failed (JCache's partial-failure rule): all of it if
    // it threw without touching the collection, none if it threw after writing everything
    long nanos = System.nanoTime() - start;
    WriteBehindListener.Outcome outcome = failed.isEmpty() ? WriteBehindListener.Outcome.SUCCESS
        : failed.size() == group.size() ? WriteBehindListener.Outcome.FAILURE
        : WriteBehindListener.Outcome.PARTIAL_FAILURE;
    notifyListener(group.size(), nanos, outcome);
    int written = group.size() - failed.size();
    log.meters.written.addAndGet(written);
    if (written > 0) {
      long now = System.currentTimeMillis();
      java.util.Set<Op<K, V>> failedSet =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      failedSet.addAll(failed);
      for (Op<K, V> op : group) {
        if (!failedSet.contains(op)) {
          writtenOps.add(op);
          confirmed(Math.max(0, now - op.record.timestamp()) * 1_000_000L);
        }
      }
    }
    if (error == null) {
      error = new IllegalStateException("the writer failed without a cause");
    }
    long now = System.nanoTime();
    for (Op<K, V> op : failed) {
      if (op.attempts++ == 0) {
        op.firstFailureNanos = now;
      }
      op.lastFailureNanos = now;
      op.lastFailure = error;
      log.meters.failed.incrementAndGet();
    }
    if (!failed.isEmpty()) {
      LOG.log(System.Logger.Level.DEBUG, "cache " + log.cacheName + ": the writer failed "
          + failed.size() + " of " + group.size() + " records: " + error);
    }
    return failed;
  }

  private void writeAll(List<Cache.Entry<?, ?>> entries) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Collection<Cache.Entry<?, ?>> raw = (Collection) entries;
    writer.writeAll(raw);
  }

  private void notifyListener(int size, long nanos, WriteBehindListener.Outcome outcome) {
    try {
      listener.onBatch(size, nanos, outcome);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "listener failed: " + e);
    }
  }

  private void confirmed(long nanos) {
    try {
      listener.onConfirmed(nanos);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "listener failed: " + e);
    }
  }

  private boolean spent(Op<K, V> op) {
    return op.attempts >= log.settings.maxAttempts()
        || System.nanoTime() - op.firstFailureNanos >= log.settings.maxRetryTime().toNanos();
  }

  /** Waits {@code nanos}; returns true if closing began meanwhile. */
  private boolean await(long nanos) {
    long deadline = System.nanoTime() + nanos;
    boolean pausedAny = false;
    try {
      for (;;) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        if (stopping.await(Math.min(left, pollSliceNanos), TimeUnit.NANOSECONDS)) {
          return true;
        }
        if (deadline - System.nanoTime() <= 0) {
          return false;
        }
        // still waiting: poll, so that the group does not take this member for dead
        consumer.pause(consumer.assignment());
        pausedAny = true;
        ConsumerRecords<byte[], byte[]> unasked = consumer.poll(Duration.ZERO);
        if (!unasked.isEmpty()) {
          // from partitions assigned during the poll, not paused yet: read them after the batch
          rewind(unasked);
        }
        if (batchRevoked) {
          LOG.log(System.Logger.Level.INFO, "cache " + log.cacheName + ": partitions of the "
              + "batch being retried were revoked; their new owner writes it");
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (WakeupException e) {
      // closing
      return true;
    } finally {
      if (pausedAny) {
        consumer.resume(consumer.paused());
      }
    }
  }

  /** The {@code partition@offset} of a resubmitted record's letter, or {@code null}. */
  private static long[] resubmitOf(ConsumerRecord<byte[], byte[]> record) {
    return KafkaDeadLetters.position(
        KafkaDeadLetters.text(record.headers(), KafkaDeadLetters.RESUBMIT_OF));
  }

  private void staleResubmission(ConsumerRecord<byte[], byte[]> record) {
    LOG.log(System.Logger.Level.INFO, "cache " + log.cacheName + ": a resubmitted dead letter "
        + "of " + record.topic() + "-" + record.partition() + "@" + record.offset() + " is not "
        + "written: a newer mutation of its key came after the letter");
  }

  /**
   * Sends the spent records to the dead-letter topic, and a superseded marker for each written
   * record whose key has an older letter; returns once Kafka acknowledged them all.
   */
  private boolean deadLetter(List<Op<K, V>> dead) {
    List<Op<K, V>> superseding = new ArrayList<>();
    for (Op<K, V> op : writtenOps) {
      if (letters.supersedes(op.record.key(), op.record.partition(), op.record.offset())) {
        superseding.add(op);
      }
    }
    writtenOps.clear();
    if (dead.isEmpty() && superseding.isEmpty()) {
      return true;
    }
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<Op<K, V>> ops = new ArrayList<>();
    long nowNanos = System.nanoTime();
    long nowMillis = System.currentTimeMillis();
    for (Op<K, V> op : dead) {
      RecordHeaders headers = new RecordHeaders();
      Throwable cause = op.lastFailure;
      headers.add(KafkaDeadLetters.KIND, utf8(KafkaDeadLetters.LETTER));
      headers.add(KafkaDeadLetters.OP, utf8(op.isDelete() ? KafkaDeadLetters.DELETE_OP
          : KafkaDeadLetters.WRITE_OP));
      headers.add(CAUSE_CLASS, utf8(cause == null ? "" : cause.getClass().getName()));
      headers.add(CAUSE_MESSAGE, utf8(cause == null || cause.getMessage() == null ? ""
          : truncate(cause.getMessage())));
      headers.add(ATTEMPTS, utf8(Integer.toString(op.attempts)));
      headers.add(KafkaDeadLetters.FIRST_FAILURE,
          utf8(Long.toString(wall(op.firstFailureNanos, nowNanos, nowMillis))));
      headers.add(KafkaDeadLetters.LAST_FAILURE,
          utf8(Long.toString(wall(op.lastFailureNanos, nowNanos, nowMillis))));
      headers.add(SOURCE, utf8(op.record.topic() + "-" + op.record.partition() + "@"
          + op.record.offset()));
      headers.add(CACHE, utf8(log.cacheName));
      // a delete's letter is not a tombstone: compaction would drop it
      records.add(new ProducerRecord<>(log.kafka.deadLetterTopic(), null, op.record.key(),
          op.record.value() == null ? new byte[0] : op.record.value(), headers));
      ops.add(op);
    }
    for (Op<K, V> op : superseding) {
      records.add(letters.supersededMarker(op.record.key(), op.record.partition(),
          op.record.offset()));
      ops.add(op);
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> record : records) {
      sent.add(deadLetters.send(record));
    }
    for (int i = 0; i < sent.size(); i++) {
      Op<K, V> op = ops.get(i);
      boolean letter = i < dead.size();
      RecordMetadata metadata;
      try {
        metadata = sent.get(i).get();
      } catch (ExecutionException e) {
        // the batch stays uncommitted and is read again: its records are not lost
        LOG.log(System.Logger.Level.ERROR, "cache " + log.cacheName + ": could not send the "
            + (letter ? "dead letter" : "superseded marker") + " of key " + op.key + " to "
            + log.kafka.deadLetterTopic() + ": " + e.getCause());
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      ProducerRecord<byte[], byte[]> record = records.get(i);
      // this node acts on its own record at once; its reader skips it later
      letters.apply(metadata.partition(), metadata.offset(), metadata.timestamp(), record.key(),
          record.value(), record.headers());
      if (!letter) {
        handler(h -> h.superseded(op.key));
        continue;
      }
      log.meters.deadLettered.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "cache " + log.cacheName + ": key " + op.key
          + " dead-lettered to " + log.kafka.deadLetterTopic() + " after " + op.attempts
          + " attempts: " + (op.lastFailure == null ? "" : op.lastFailure.getClass().getName()));
      if (op.key != null) {
        letters.get(op.key).ifPresent(l -> handler(h -> h.deadLettered(l)));
      }
    }
    return true;
  }

  private void handler(java.util.function.Consumer<DeadLetterHandler<K, V>> call) {
    DeadLetterHandler<K, V> handler = context.deadLetterHandler();
    if (handler == null) {
      return;
    }
    try {
      call.accept(handler);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cache " + log.cacheName + ": the dead-letter handler "
          + "failed: " + e);
    }
  }

  private static long wall(long nanos, long nowNanos, long nowMillis) {
    return nowMillis - TimeUnit.NANOSECONDS.toMillis(nowNanos - nanos);
  }

  private static String truncate(String message) {
    return message.length() <= 1_000 ? message : message.substring(0, 1_000);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
