package dev.jotter.journal;

import static java.util.Objects.requireNonNull;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Journal} in append-only segment files of one directory: the durable log of a
 * write-behind cache's pending operations (contract clause 10).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@code SYNC}: {@link #awaitDurable} returns only after a {@code FileChannel.force} that
 *       covered the record; concurrent callers share one force (group commit). A process crash
 *       loses no record whose {@code awaitDurable} returned.
 *   <li>{@code ASYNC}: each record is written to the operating system (a {@code write}, not a
 *       {@code force}) before its {@link #awaitDurable} returns (the buffer calls it in
 *       {@code release()}, after the key's section; the append itself only copies bytes), in
 *       sequence order, by whichever thread gets there first, many records per write; a
 *       background thread forces the journal at
 *       most once every {@code syncInterval} while there is something to force. A process crash (kill -9, out of memory, a JVM crash) loses
 *       no appended record, since the kernel holds it; an operating-system crash or power loss
 *       loses at most the records appended in the last {@code syncInterval} plus the time one
 *       force takes.
 *   <li>Replay passes the unfinished records in sequence order, so each key's operations keep
 *       their original order; it never passes a record that was not written, nor a changed one
 *       (CRC32C per record), and it never throws for damaged files.
 *   <li>A DONE mark for an operation also finishes the unfinished older operations of the same
 *       key (an operation is only confirmed after its key's older ones, clause 2), and replay
 *       applies the same rule: a lost or late DONE mark can never make an older state of a key
 *       come back after a newer one was written.
 *   <li>Sequences grow across restarts: new records get larger sequences than any on disk.
 * </ul>
 *
 * <p>Implementation notes: the parts, each with the guarantees it keeps in its javadoc.
 * {@link SegmentScan} reads what is on disk at start-up. This class appends: one append lock
 * guards the in-memory state (segments, the index of {@link Unfinished} records, the write
 * buffer); appends and DONE marks encode their frame and copy it into a 256 KiB buffer under it,
 * with no file I/O (a full buffer joins a queue of chunks, in file order). A separate write lock,
 * always taken before the append lock and never under it, lets one thread at a time take the
 * queued chunks (under the append lock, briefly) and {@code write} them outside it: ASYNC's
 * {@link #awaitDurable} (a volatile {@code writtenSequence} returns at once when another thread
 * already wrote past the record) and the sync. {@link GroupCommit} serializes forces: its leader
 * writes out the chunks that way and forces outside the append lock, so appends continue while the disk works, and every caller
 * that queued behind it finds its record already covered. {@link JournalThread} runs ASYNC's
 * periodic force (in SYNC mode it forces DONE marks that no caller waits for) and
 * {@link Maintenance}, which keeps disk use bounded (deleting finished segments, compacting old
 * ones): at most about three segments plus twice the bytes of the unfinished records, so a
 * poison record pins only its own bytes, not its 64 MiB segment.
 * <b>Failure</b>: an I/O error while writing or forcing (a file or the directory) fails the
 * journal for good: every later append, await and force throws {@link UncheckedIOException}
 * naming the file and the original error, and nothing is forced again (after a failed fsync, what
 * reached the disk is unknown, and a retried fsync may succeed without it: pretending otherwise
 * would break SYNC's promise). Damaged files at start-up are described in {@link #replay}.
 * <b>Files</b>: every file-system call goes through {@link JournalFiles}, which creates what the
 * journal writes private to its owner; {@code CrashStateTest} replays recorded runs from every
 * state a power cut could leave.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class FileJournal<K, V> implements Journal<K, V> {
  /** The default segment size, 64 MiB. */
  public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
  /** The default {@code syncInterval} of ASYNC, 10 ms (the cache configuration's default). */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(10);
  static final long MIN_SEGMENT_SIZE = 256;

  private static final System.Logger LOG = System.getLogger(JournalFiles.LOGGER);
  private static final int BUFFER_SIZE = 256 << 10;
  /** Segments created after a compaction candidate (the active one not counted): its records must be older. */

  private final Path directory;
  private final Durability durability;
  private final long syncIntervalNanos;
  private final JournalSerializer<K, V> serializer;
  private final long segmentSize;
  private final JournalFiles files;
  private final DirectoryLock directoryLock;

  private final ReentrantLock appendLock = new ReentrantLock();
  /**
   * Held by the one thread that writes chunks to the files; taken before the append lock, never
   * while holding it, so appends never wait for a {@code write}.
   */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Every record up to this sequence is in the files (the page cache), not only in memory. */
  private volatile long writtenSequence;
  // guarded by appendLock
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final Map<Long, Unfinished<K>> unfinished = new HashMap<>();
  private final Map<K, List<Unfinished<K>>> unfinishedByKey = new HashMap<>();
  private final List<Segment> retiredUnsynced = new ArrayList<>();
  private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
  /** Filled buffers, in file order, that no thread has written out yet. */
  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
  /** Written-out buffers for reuse, so that a write-out allocates nothing. */
  private final ArrayDeque<ByteBuffer> spareBuffers = new ArrayDeque<>();
  private Segment active;
  private long nextSequence;
  private long lastSequence;
  private long doneStamp;
  private long segmentsCreated;
  private boolean dirty;
  private boolean directoryDirty;
  private boolean closed;
  /** The first I/O error, which failed the journal for good; null while it works. */
  private @Nullable IOException failure;
  /** What start-up found unfinished, until {@link #replay} takes it (then null). */
  private @Nullable List<Unfinished<K>> toReplay;

  private final GroupCommit commit;

  private final Maintenance maintenance;
  private final JournalThread thread;
  /** close() began; guarded by the append lock. */
  private boolean stopping;

  private final AtomicLong appendCount = new AtomicLong();
  private final AtomicLong syncCount = new AtomicLong();
  private final AtomicLong corruptTailRecoveries = new AtomicLong();
  private final AtomicLong corruptSegments = new AtomicLong();
  private final AtomicLong unreadableRecords = new AtomicLong();
  private final AtomicLong implicitlyFinishedAtStart = new AtomicLong();

  // active is set by recover() (createSegment), called inside the try below so that a failure
  // releases the files; NullAway sees fields set by calls made at the top level of a constructor
  // only
  @SuppressWarnings("NullAway.Init")
  private FileJournal(Builder<K, V> b) {
    this.directory = b.directory;
    this.durability = b.durability;
    this.syncIntervalNanos = b.syncInterval.toNanos();
    this.serializer = b.serializer;
    this.segmentSize = b.segmentSize;
    this.files = b.files;
    Optional<String> widePermissions;
    try {
      files.createDirectories(directory);
      widePermissions = files.writableByOthers(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the journal directory " + directory, e);
    }
    if (widePermissions.isPresent()) {
      throw new IllegalStateException("The journal directory " + directory.toAbsolutePath()
          + " can be written by users other than its owner (" + widePermissions.get()
          + "): it holds cache keys and values, and another user could read, replace or delete "
          + "them. Allow only its owner (chmod 700), or let Jotter create the directory.");
    }
    this.maintenance = new Maintenance(directory, files, appendLock, segments, maintained);
    Path name = directory.toAbsolutePath().getFileName();
    ThreadFactory threads = !b.journalThread ? null : (b.threads != null) ? b.threads
        : JournalThread.daemon("jotter-journal-" + ((name == null) ? directory : name));
    this.thread = new JournalThread(directory.toString(), threads, b.ticker, syncIntervalNanos,
        threadWork);
    this.directoryLock = DirectoryLock.acquire(directory, files);
    try {
      recover();
      this.commit = new GroupCommit(this::sync, lastSequence);
    } catch (IOException | RuntimeException e) {
      closeChannels();
      directoryLock.close();
      if (e instanceof IOException) {
        throw new UncheckedIOException("Cannot open the journal in " + directory, (IOException) e);
      }
      throw (RuntimeException) e;
    }
    thread.start();
  }

  /**
   * Opens the journal in {@code directory} with the default segment size.
   *
   * @param directory the journal's own directory; created if missing
   * @param durability {@link Durability#ASYNC} or {@link Durability#SYNC}
   * @param syncInterval the longest time between two forces of an ASYNC journal
   * @param serializer reads and writes keys and values
   * @throws IllegalStateException if another process or journal holds the directory
   * @throws UncheckedIOException if the directory cannot be read or written
   */
  public static <K, V> FileJournal<K, V> open(Path directory, Durability durability,
      Duration syncInterval, JournalSerializer<K, V> serializer) {
    return builder(directory, serializer).durability(durability).syncInterval(syncInterval).open();
  }

  /** Returns a builder of the journal in {@code directory}. */
  public static <K, V> Builder<K, V> builder(Path directory, JournalSerializer<K, V> serializer) {
    return new Builder<>(directory, serializer);
  }

  /* ---------------- Start-up: read what is on disk ---------------- */

  private void recover() throws IOException {
    SegmentScan<K> scan = SegmentScan.of(files, directory);
    segments.putAll(scan.segments);
    segmentsCreated = scan.segments.size();
    corruptTailRecoveries.set(scan.corruptTails);
    corruptSegments.set(scan.corruptSegments);
    for (Unfinished<K> e : scan.unfinished) {
      unfinished.put(e.sequence, e);
    }
    toReplay = scan.unfinished;
    nextSequence = scan.nextSequence;
    lastSequence = nextSequence - 1;
    active = createSegment(nextSequence);
    implicitlyFinishedAtStart.set(scan.implicitlyDone.size());
    // finish on disk what the per-key rule finished in memory, or it could come back later
    for (long sequence : scan.implicitlyDone) {
      Segment holder = segmentHolding(sequence);
      if (holder != null) {
        appendFrame(RecordFormat.encodeDone(sequence));
        active.dependsOn.put(holder, 0L);
      }
    }
  }

  private @Nullable Segment segmentHolding(long sequence) {
    // op records of a segment have sequences from its first one up to the next segment's
    Map.Entry<Long, Segment> e = segments.floorEntry(sequence);
    return (e == null) ? null : e.getValue();
  }

  /* ---------------- Appending ---------------- */

  @Override
  public long appendWrite(K key, V value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    return append(key, serializer.serializeKey(key), serializer.serializeValue(value));
  }

  @Override
  public long appendDelete(K key) {
    requireNonNull(key, "key");
    return append(key, serializer.serializeKey(key), null);
  }

  /** Serializes here, outside every lock, so that {@link #append(Prepared)} only copies bytes. */
  @Override
  public Prepared<K, V> prepare(K key, @Nullable V value) {
    requireNonNull(key, "key");
    return new Prepared<>(key, value, serializer.serializeKey(key),
        (value == null) ? null : serializer.serializeValue(value));
  }

  @Override
  public long append(Prepared<K, V> prepared) {
    if (prepared.keyBytes() == null) { // not from this journal's prepare
      return Journal.super.append(prepared);
    }
    return append(prepared.key(), prepared.keyBytes(), prepared.valueBytes());
  }

  @Override
  public long appendDead(K key, @Nullable V value, DeadMark mark) {
    requireNonNull(key, "key");
    requireNonNull(mark, "mark");
    return append(key, serializer.serializeKey(key),
        (value == null) ? null : serializer.serializeValue(value), mark.encode());
  }

  private long append(K key, byte[] keyBytes, byte @Nullable [] valueBytes) {
    return append(key, keyBytes, valueBytes, null);
  }

  private long append(K key, byte[] keyBytes, byte @Nullable [] valueBytes,
      byte @Nullable [] markBytes) {
    int frameSize = RecordFormat.opFrameSize(keyBytes, valueBytes)
        + ((markBytes == null) ? 0 : 4 + markBytes.length);
    appendLock.lock();
    try {
      checkWritable();
      if (active.size > RecordFormat.HEADER_SIZE && active.size + frameSize > segmentSize) {
        roll();
      }
      long sequence = nextSequence++;
      // only copied here: ASYNC's write(2) runs in awaitDurable, outside the caller's locks
      appendFrame(RecordFormat.encodeOp(sequence, keyBytes, valueBytes, markBytes));
      Unfinished<K> e = new Unfinished<>(sequence, frameSize, active);
      e.key = key;
      unfinished.put(sequence, e);
      unfinishedByKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
      active.live++;
      active.liveBytes += frameSize;
      lastSequence = sequence;
      appendCount.incrementAndGet();
      return sequence;
    } catch (IOException e) {
      throw fail(e);
    } finally {
      appendLock.unlock();
    }
  }

  /** Adds a frame to the active segment's buffer; under the append lock, no file I/O. */
  private void appendFrame(byte[] frame) throws IOException {
    if (frame.length > buffer.remaining()) {
      flushBuffer();
      if (frame.length > buffer.capacity()) {
        chunks.add(new Chunk(channelOf(active), ByteBuffer.wrap(frame)));
      }
    }
    if (frame.length <= buffer.capacity()) {
      buffer.put(frame);
    }
    active.size += frame.length;
    if (!dirty) {
      dirty = true;
      thread.wake();
    }
  }

  /**
   * Queues the buffer's bytes, in file order, for the next write-out ({@link #takeChunks} and
   * {@link #writeChunks}); under the append lock, no file I/O.
   */
  private void flushBuffer() {
    if (buffer.position() > 0) {
      buffer.flip();
      chunks.add(new Chunk(channelOf(active), buffer));
      ByteBuffer next = spareBuffers.poll();
      buffer = (next == null) ? ByteBuffer.allocate(BUFFER_SIZE) : next;
    }
  }

  /** The bytes of one segment's file, to append at its end. */
  private record Chunk(FileChannel channel, ByteBuffer bytes) {}

  /** Queues the buffer and takes every queued chunk; under the append lock and the write lock. */
  private List<Chunk> takeChunks() {
    flushBuffer();
    List<Chunk> taken = new ArrayList<>(chunks);
    chunks.clear();
    return taken;
  }

  /**
   * Writes taken chunks to their files, in order; under the write lock, not the append lock. A
   * failure fails the journal for good.
   */
  private void writeChunks(List<Chunk> taken) {
    if (taken.isEmpty()) {
      return;
    }
    try {
      for (Chunk c : taken) {
        JournalFiles.writeFully(c.channel, c.bytes);
      }
    } catch (IOException e) {
      throw failed(e);
    }
    appendLock.lock();
    try {
      for (Chunk c : taken) {
        if (c.bytes.capacity() == BUFFER_SIZE && spareBuffers.size() < 2) {
          c.bytes.clear();
          spareBuffers.add(c.bytes);
        }
      }
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * ASYNC: returns once the record of {@code sequence} is in its file. Writes out, in one go,
   * everything queued so far unless another thread already wrote past {@code sequence}; the
   * caller holds no lock of the cache (it runs after the key's section).
   */
  private void writeOut(long sequence) {
    if (sequence <= writtenSequence) {
      return;
    }
    writeLock.lock();
    try {
      if (sequence <= writtenSequence) {
        return;
      }
      List<Chunk> taken;
      long upTo;
      appendLock.lock();
      try {
        if (failure != null) {
          throw failedEarlier(failure);
        }
        upTo = lastSequence;
        if (closed) { // the final sync wrote everything
          writtenSequence = upTo;
          return;
        }
        taken = takeChunks();
      } finally {
        appendLock.unlock();
      }
      writeChunks(taken);
      writtenSequence = upTo;
    } finally {
      writeLock.unlock();
    }
  }

  /** The channel of the active segment, or of a retired one that no sync has forced yet. */
  private static FileChannel channelOf(Segment segment) {
    return requireNonNull(segment.channel, "the segment's channel is closed");
  }

  /** Starts a new active segment; the old one is forced and closed by the next sync. */
  private void roll() throws IOException {
    flushBuffer();
    retiredUnsynced.add(active);
    if (nextSequence <= active.firstSequence) {
      nextSequence = active.firstSequence + 1; // a segment of DONE marks only: keep names unique
    }
    active = createSegment(nextSequence);
    thread.requestMaintenance(true);
  }

  private Segment createSegment(long firstSequence) throws IOException {
    Path path = directory.resolve(Segment.fileName(firstSequence));
    Segment segment = new Segment(firstSequence, path, 0);
    segment.ordinal = ++segmentsCreated;
    segment.channel = files.createNew(path);
    segments.put(firstSequence, segment);
    directoryDirty = true;
    active = segment;
    appendFrame(RecordFormat.header());
    return segment;
  }

  /* ---------------- Durability ---------------- */

  /**
   * {@code SYNC}: returns once a force covered {@code sequence}; threads that arrive while a
   * force runs share the next one. {@code ASYNC}: returns once the record is written to its file
   * (the page cache), writing out everything queued so far unless another thread already wrote
   * past it; the background force makes it durable within {@code syncInterval}.
   *
   * @throws UncheckedIOException if the journal failed to write or force
   * @throws IllegalArgumentException if {@code sequence} was never appended
   */
  @Override
  public void awaitDurable(long sequence) {
    if (durability == Durability.SYNC) {
      commit.await(sequence);
    } else {
      // into the page cache before the caller is acknowledged: the kernel keeps it when the
      // process dies (kill -9, OOM, a JVM crash); only the force waits for the interval
      writeOut(sequence);
    }
  }

  /**
   * Writes out and forces everything appended so far; returns the last sequence it covers.
   * Only the leader of a {@link GroupCommit} runs it.
   */
  private long sync() {
    List<Segment> retired;
    Segment current;
    long upTo;
    boolean directoryChanged;
    writeLock.lock();
    try {
      List<Chunk> taken;
      appendLock.lock();
      try {
        if (failure != null) {
          throw failedEarlier(failure);
        }
        if (closed) {
          return lastSequence; // close forced everything
        }
        // the chunks of every retired segment are taken with it, so it is written before closed
        taken = takeChunks();
        upTo = lastSequence;
        retired = new ArrayList<>(retiredUnsynced);
        retiredUnsynced.clear();
        current = active;
        directoryChanged = directoryDirty;
        directoryDirty = false;
        dirty = false;
      } finally {
        appendLock.unlock();
      }
      writeChunks(taken);
      if (upTo > writtenSequence) {
        writtenSequence = upTo;
      }
    } finally {
      writeLock.unlock();
    }
    thread.forceStarted();
    try {
      for (Segment s : retired) {
        FileChannel channel = channelOf(s);
        force(channel, s.path, false);
        channel.close();
      }
      force(channelOf(current), current.path, false);
      if (directoryChanged) {
        // a new segment's name is only durable once its directory is: without this a power
        // cut can take the whole file, forced content and all
        forceDirectory();
      }
    } catch (IOException e) {
      throw failed(e);
    }
    syncCount.incrementAndGet();
    return upTo;
  }

  /**
   * Forces a file; a failure fails the journal for good. After a failed fsync the kernel may
   * have dropped the dirty pages and cleared the error, so a second fsync can succeed without
   * the data ever reaching the disk (PostgreSQL's "fsyncgate", 2018): never retry one.
   */
  private void force(FileChannel channel, Path file, boolean metadata) throws IOException {
    try {
      files.force(channel, metadata);
    } catch (IOException e) {
      throw recordFailure(new IOException("fsync of " + file + " failed: " + e, e));
    }
  }

  /** Forces the directory's entries; a failure fails the journal for good, as {@link #force}. */
  private void forceDirectory() throws IOException {
    try {
      files.forceDirectory(directory);
    } catch (IOException e) {
      throw recordFailure(new IOException("fsync of the directory " + directory + " failed: "
          + e, e));
    }
  }

  /** Fails the journal with {@code e} unless it failed before; returns its first failure. */
  private IOException recordFailure(IOException e) {
    appendLock.lock();
    try {
      IOException first = (failure == null) ? e : failure;
      fail(e);
      return first;
    } finally {
      appendLock.unlock();
    }
  }

  private UncheckedIOException failed(IOException e) {
    appendLock.lock();
    try {
      return fail(e);
    } finally {
      appendLock.unlock();
    }
  }

  /** Records the journal's first failure; under the append lock. */
  private UncheckedIOException fail(IOException e) {
    IOException first = failure;
    if (first == null) {
      first = e;
      failure = e;
      LOG.log(Level.ERROR, "The journal in " + directory + " failed for good: " + e.getMessage()
          + "; its cache refuses further durable mutations (they would not be durable) and "
          + "the journal will not retry; restart the cache after fixing the disk", e);
    }
    return failedEarlier(first);
  }

  /** The exception of every call after the journal failed with {@code first}. */
  private UncheckedIOException failedEarlier(IOException first) {
    return new UncheckedIOException("The journal in " + directory + " failed for good ("
        + first.getMessage() + "); nothing appended since its last successful force is "
        + "known to be durable", first);
  }

  private void checkWritable() {
    if (closed) {
      throw new IllegalStateException("The journal in " + directory + " is closed");
    }
    if (failure != null) {
      throw failedEarlier(failure);
    }
  }

  /* ---------------- Finishing ---------------- */

  /**
   * Appends a DONE mark for {@code sequence} and for any older unfinished operation of its key
   * (older ones first). Unknown, already finished, and after-close sequences are ignored.
   */
  @Override
  public void markDone(long sequence) {
    appendLock.lock();
    try {
      if (closed || failure != null) {
        return;
      }
      Unfinished<K> e = unfinished.get(sequence);
      if (e == null) {
        return;
      }
      if (e.key != null) {
        List<Unfinished<K>> sameKey = unfinishedByKey.get(e.key);
        if (sameKey != null) {
          for (Unfinished<K> older : new ArrayList<>(sameKey)) {
            if (older.sequence < sequence) {
              finish(older);
            }
          }
        }
      }
      finish(e);
    } catch (IOException ex) {
      fail(ex); // the DONE mark is lost: the operation may be written again, never reordered
    } finally {
      appendLock.unlock();
    }
  }

  private void finish(Unfinished<K> e) throws IOException {
    byte[] frame = RecordFormat.encodeDone(e.sequence);
    if (active.size + frame.length > segmentSize) {
      roll();
    }
    appendFrame(frame);
    unfinished.remove(e.sequence);
    if (e.key != null) {
      List<Unfinished<K>> sameKey = unfinishedByKey.get(e.key);
      if (sameKey != null) {
        sameKey.remove(e);
        if (sameKey.isEmpty()) {
          unfinishedByKey.remove(e.key);
        }
      }
    }
    Segment holder = e.segment;
    holder.live--;
    holder.liveBytes -= e.frameSize;
    if (holder != active) {
      active.dependsOn.put(holder, ++doneStamp);
      if (holder.live == 0) {
        thread.requestMaintenance(false);
      }
    }
  }

  /* ---------------- Replay ---------------- */

  /**
   * Passes the operations that were unfinished at start-up, and are still unfinished, to
   * {@code sink} in sequence order. Runs once.
   *
   * <p>What start-up did with damaged files, so that replay never throws for them:
   * <ul>
   *   <li>Each segment is read frame by frame; the first frame whose length, CRC32C or layout is
   *       wrong ends that segment. Nothing after it in the file is trusted.
   *   <li>In the newest segment (where a crash tears the last writes) the file is truncated at
   *       the last good record and reported at WARNING (file, offset, bytes dropped); see
   *       {@link #corruptTailRecoveries()}.
   *   <li>In an older segment the damage cannot come from a torn write of a live process (such
   *       a segment was complete before the next one started, except for power loss during the
   *       roll), so it is reported at ERROR, counted in {@link #corruptSegments()}, the file is
   *       kept as is for inspection, and the later segments are still replayed. Operations in
   *       the unreadable part are lost; finished operations whose DONE mark was there are
   *       replayed again (at-least-once), never older than a newer finished one of their key.
   *   <li>A record whose key or value the serializer refuses (for instance a class outside
   *       the allow-list) is reported at ERROR with its sequence, counted in
   *       {@link #unreadableRecords()}, skipped, and marked done: replaying it later would put
   *       an old state after newer ones of its key.
   * </ul>
   *
   * @throws IllegalStateException if replay already ran
   */
  @Override
  public void replay(Consumer<JournalRecord<K, V>> sink) {
    requireNonNull(sink, "sink");
    List<Unfinished<K>> records;
    appendLock.lock();
    try {
      if (toReplay == null) {
        throw new IllegalStateException("The journal in " + directory + " was replayed already");
      }
      records = toReplay;
      toReplay = null;
    } finally {
      appendLock.unlock();
    }
    for (Unfinished<K> e : records) {
      K key;
      V value;
      DeadMark dead;
      try {
        // start-up read both for every unfinished record; a missing one counts as unreadable
        key = serializer.deserializeKey(requireNonNull(e.keyBytes, "the record's key bytes"));
        value = e.delete ? null
            : serializer.deserializeValue(requireNonNull(e.valueBytes, "the record's value bytes"));
        dead = (e.markBytes == null) ? null : DeadMark.decode(e.markBytes);
        requireNonNull(key, "the serializer returned a null key");
        if (!e.delete) {
          requireNonNull(value, "the serializer returned a null value");
        }
      } catch (RuntimeException ex) {
        unreadableRecords.incrementAndGet();
        LOG.log(Level.ERROR, "Journal record " + e.sequence + " in " + e.segment.path
            + " cannot be read back and is skipped (marked done): " + ex, ex);
        e.keyBytes = null;
        e.valueBytes = null;
        e.markBytes = null;
        markDone(e.sequence);
        continue;
      }
      appendLock.lock();
      try {
        e.keyBytes = null;
        e.valueBytes = null;
        e.markBytes = null;
        if (unfinished.get(e.sequence) != e) {
          continue; // finished meanwhile
        }
        e.key = key;
        unfinishedByKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
      } finally {
        appendLock.unlock();
      }
      sink.accept(new JournalRecord<>(e.sequence, key, value, dead));
    }
  }

  /* ---------------- Maintenance: delete and compact ---------------- */

  /** What the journal thread does. */
  private final JournalThread.Work threadWork = new JournalThread.Work() {
    @Override
    public boolean isDirty() {
      return FileJournal.this.isDirty();
    }

    @Override
    public void force() {
      commit.leadIfIdle(); // a SYNC caller forcing right now will do
    }

    @Override
    public void maintain(boolean compact) {
      FileJournal.this.maintain(compact);
    }
  };

  private boolean isDirty() {
    appendLock.lock();
    try {
      return dirty && !closed && failure == null;
    } finally {
      appendLock.unlock();
    }
  }

  /** What {@link Maintenance} sees of this journal. */
  private final Maintenance.Host maintained = new Maintenance.Host() {
    @Override
    public Segment active() {
      return active;
    }

    @Override
    public Collection<? extends Unfinished<?>> unfinished() {
      return unfinished.values();
    }

    @Override
    public long doneStamp() {
      return doneStamp;
    }

    @Override
    public boolean hasFailed() {
      return failure != null;
    }

    @Override
    public void forceAll() {
      commit.lead();
    }

    @Override
    public void force(FileChannel channel, Path file, boolean metadata) throws IOException {
      FileJournal.this.force(channel, file, metadata);
    }

    @Override
    public void forceDirectory() throws IOException {
      FileJournal.this.forceDirectory();
    }
  };

  /** Deletes and compacts now, as the journal thread does; see {@link Maintenance}. */
  void maintain(boolean compact) {
    maintenance.run(compact);
  }

  /* ---------------- Closing ---------------- */

  /**
   * Writes out and forces what was appended (both modes), deletes segments that are no longer
   * needed, and releases the directory. Unfinished operations stay for the next start.
   * Idempotent; {@link #markDone} after it is ignored, appends throw.
   *
   * @throws UncheckedIOException if the final force failed (the directory is released anyway)
   */
  @Override
  public void close() {
    appendLock.lock();
    try {
      if (stopping) {
        return;
      }
      stopping = true;
    } finally {
      appendLock.unlock();
    }
    thread.stop();
    maintain(false);
    UncheckedIOException error = null;
    try {
      commit.close(this::finalSync);
    } catch (IOException e) {
      error = new UncheckedIOException("The final force of the journal in " + directory
          + " failed; records appended since the last force may be lost", e);
      LOG.log(Level.ERROR, error.getMessage(), e);
    } finally {
      appendLock.lock();
      try {
        closeChannels();
      } finally {
        appendLock.unlock();
        directoryLock.close();
      }
    }
    if (error != null) {
      throw error;
    }
  }

  /** Closes for appends and DONE marks in the same step as the last flush, then forces. */
  private long finalSync() throws IOException {
    List<Segment> toForce;
    long upTo;
    writeLock.lock();
    try {
      List<Chunk> taken;
      appendLock.lock();
      try {
        closed = true;
        if (failure != null) {
          throw failure;
        }
        taken = takeChunks();
        toForce = new ArrayList<>(retiredUnsynced);
        retiredUnsynced.clear();
        toForce.add(active);
        upTo = lastSequence;
      } finally {
        appendLock.unlock();
      }
      try {
        for (Chunk c : taken) {
          JournalFiles.writeFully(c.channel, c.bytes);
        }
      } catch (IOException e) {
        throw recordFailure(e);
      }
      writtenSequence = upTo;
    } finally {
      writeLock.unlock();
    }
    for (Segment s : toForce) {
      force(channelOf(s), s.path, false);
    }
    forceDirectory();
    syncCount.incrementAndGet();
    return upTo;
  }

  private void closeChannels() {
    for (Segment s : segments.values()) {
      if (s.channel != null) {
        try {
          s.channel.close();
        } catch (IOException ignored) {
          // closing: nothing left to protect
        }
        s.channel = null;
      }
    }
    for (Segment s : retiredUnsynced) {
      FileChannel channel = s.channel;
      if (channel == null) {
        continue; // already closed
      }
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing: nothing left to protect
      }
    }
  }

  /* ---------------- Observability and tests ---------------- */

  /** The journal's directory. */
  public Path directory() {
    return directory;
  }

  /** The operations appended (WRITE and DELETE records) since this journal opened. */
  public long appendCount() {
    return appendCount.get();
  }

  /** The forces (fsyncs) of the journal since it opened: in SYNC mode, fewer than appends. */
  public long syncCount() {
    return syncCount.get();
  }

  /** Torn or corrupt tails of the newest segment that start-up truncated (0 or 1). */
  public long corruptTailRecoveries() {
    return corruptTailRecoveries.get();
  }

  /** Older segments that start-up found damaged before their end (reported at ERROR). */
  public long corruptSegments() {
    return corruptSegments.get();
  }

  /** Records that replay skipped because the serializer refused them. */
  public long unreadableRecords() {
    return unreadableRecords.get();
  }

  /** Segments deleted because everything in them was finished. */
  public long deletedSegments() {
    return maintenance.deletedSegments.get();
  }

  /**
   * Operations found on disk at start-up without a DONE mark of their own that the per-key rule
   * finished, because a newer operation of their key was marked done (a DONE mark that was late
   * or lost in a crash); replaying them would have put an older state after a newer one.
   */
  public long implicitlyFinishedAtStart() {
    return implicitlyFinishedAtStart.get();
  }

  /** Segments rewritten to keep only their unfinished records. */
  public long compactions() {
    return maintenance.compactions.get();
  }

  /** The unfinished operations known to the journal. */
  public int pendingCount() {
    appendLock.lock();
    try {
      return unfinished.size();
    } finally {
      appendLock.unlock();
    }
  }

  /** The bytes of the segment files, including what is still buffered. */
  public long diskBytes() {
    appendLock.lock();
    try {
      long total = 0;
      for (Segment s : segments.values()) {
        total += s.size;
      }
      return total;
    } finally {
      appendLock.unlock();
    }
  }

  /** The sequence of the newest record appended (or found on disk at start-up). */
  long lastSequence() {
    appendLock.lock();
    try {
      return lastSequence;
    } finally {
      appendLock.unlock();
    }
  }

  /** The largest sequence known to be forced to disk. */
  long durableSequence() {
    return commit.durable();
  }

  /** Waits until a force covered {@code sequence}; false if {@code timeout} passed first. */
  boolean awaitSynced(long sequence, Duration timeout) throws InterruptedException {
    return commit.awaitSynced(sequence, timeout.toNanos());
  }

  @Nullable Thread flusherThread() {
    return thread.thread();
  }

  /** Wakes the journal thread, as an append does; for tests that moved its ticker. */
  void wakeThread() {
    thread.wake();
  }

  /** Forces everything appended so far, as the journal thread would; returns what it covers. */
  long forceNow() {
    return commit.lead();
  }

  @Override
  public String toString() {
    return "FileJournal[" + directory + ", " + durability + "]";
  }

  /** Configures and opens a {@link FileJournal}. */
  public static final class Builder<K, V> {
    private final Path directory;
    private final JournalSerializer<K, V> serializer;
    private Durability durability = Durability.SYNC;
    private Duration syncInterval = DEFAULT_SYNC_INTERVAL;
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private JournalFiles files = JournalFiles.REAL;
    private boolean journalThread = true;
    /** Makes the journal thread; null for the default daemon thread. */
    private @Nullable ThreadFactory threads;
    private Ticker ticker = Ticker.system();

    private Builder(Path directory, JournalSerializer<K, V> serializer) {
      this.directory = requireNonNull(directory, "directory");
      this.serializer = requireNonNull(serializer, "serializer");
    }

    /**
     * {@link Durability#SYNC} (the default) or {@link Durability#ASYNC}; a cache with
     * {@link Durability#NONE} uses {@link Journal#none()}.
     */
    public Builder<K, V> durability(Durability durability) {
      requireNonNull(durability, "durability");
      if (durability == Durability.NONE) {
        throw new IllegalArgumentException("durability NONE keeps no journal; use Journal.none()");
      }
      this.durability = durability;
      return this;
    }

    /**
     * The longest time between two forces of an ASYNC journal (what a crash can lose); also how
     * long SYNC keeps DONE marks that nobody waits for in memory. Default 10 ms; positive.
     */
    public Builder<K, V> syncInterval(Duration syncInterval) {
      requireNonNull(syncInterval, "syncInterval");
      if (syncInterval.isNegative() || syncInterval.isZero()) {
        throw new IllegalArgumentException("syncInterval must be positive, was " + syncInterval);
      }
      this.syncInterval = syncInterval;
      return this;
    }

    /**
     * The size at which a segment file rolls over; default 64 MiB, at least 256 bytes. A record
     * larger than it gets a segment of its own.
     */
    public Builder<K, V> segmentSize(long segmentSize) {
      if (segmentSize < MIN_SEGMENT_SIZE) {
        throw new IllegalArgumentException("segmentSize must be at least " + MIN_SEGMENT_SIZE
            + " bytes, was " + segmentSize);
      }
      this.segmentSize = segmentSize;
      return this;
    }

    /** The file-system calls; tests record them or make them fail. */
    Builder<K, V> files(JournalFiles files) {
      this.files = requireNonNull(files, "files");
      return this;
    }

    /** Makes the journal thread; default a daemon thread {@code jotter-journal-<directory>}. */
    Builder<K, V> threads(ThreadFactory threads) {
      this.threads = requireNonNull(threads, "threads");
      return this;
    }

    /** Times the journal thread's periodic force; default {@link Ticker#system()}. */
    Builder<K, V> ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Without the journal thread, nothing forces or maintains on its own: a test calls
     * {@link FileJournal#forceNow()} and {@link FileJournal#maintain}, so that a run is the
     * same sequence of file-system calls every time.
     */
    Builder<K, V> withoutJournalThread() {
      this.journalThread = false;
      return this;
    }

    /**
     * Opens the journal: takes the directory, reads and repairs what is on disk (see
     * {@link FileJournal#replay}), and starts the journal thread.
     *
     * @throws IllegalStateException if another process or journal holds the directory
     * @throws UncheckedIOException if the directory cannot be read or written
     */
    public FileJournal<K, V> open() {
      return new FileJournal<>(this);
    }
  }
}
