package dev.jotter.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real file system, with every call that changes it recorded in order, as the disk would see
 * them: file writes, truncates and forces by inode, and the directory's creates, deletes,
 * renames and forces. Forces are only recorded, not made (the recording is what counts, and tmpfs
 * or a real disk would only slow the run). {@link CrashStates} rebuilds from the log what a power
 * cut could have left on the disk.
 *
 * <p>The test that drives the journal adds its own marks to the same log ({@link #mark}), so
 * that what it was told (a sequence acknowledged as durable, a DONE mark begun) has a place in
 * the order of the calls.
 */
final class RecordingFiles extends ForwardingJournalFiles {
  sealed interface Event {}

  /** A new directory entry {@code name} for a new, empty inode. */
  record Create(String name, int inode) implements Event {}

  record Delete(String name) implements Event {}

  record Rename(String from, String to) implements Event {}

  record Write(int inode, long offset, byte[] bytes) implements Event {}

  record Truncate(int inode, long size) implements Event {}

  /** An fsync of the inode: its content and size so far are on the disk once it returns. */
  record Force(int inode) implements Event {}

  /** An fsync of the directory: its entries so far are on the disk once it returns. */
  record DirectoryForce() implements Event {}

  /** What the driving test knew at this point. */
  record Mark(MarkKind kind, long sequence) implements Event {}

  enum MarkKind {
    /** Every record up to this sequence was acknowledged as durable (a force returned). */
    DURABLE,
    /** A markDone of this sequence begins: from here its DONE mark may be on the disk. */
    DONE_BEGINS
  }

  private final Path directory;
  private final List<Event> log = new ArrayList<>();
  private final Map<String, Integer> inodes = new HashMap<>();
  private int nextInode;
  /** The directory's forces are left out: the mutation check of its test. */
  volatile boolean skipDirectoryForces;
  /** File forces are left out: the other mutation check. */
  volatile boolean skipFileForces;

  RecordingFiles(Path directory) {
    super(JournalFiles.REAL);
    this.directory = directory;
  }

  synchronized List<Event> log() {
    return List.copyOf(log);
  }

  synchronized void mark(MarkKind kind, long sequence) {
    log.add(new Mark(kind, sequence));
  }

  private synchronized void record(Event e) {
    log.add(e);
  }

  private String name(Path file) {
    if (!file.toAbsolutePath().getParent().equals(directory.toAbsolutePath())) {
      throw new AssertionError(file + " is outside the recorded directory " + directory);
    }
    return file.getFileName().toString();
  }

  private synchronized int created(String name) {
    int inode = ++nextInode;
    inodes.put(name, inode);
    log.add(new Create(name, inode));
    return inode;
  }

  private synchronized int inode(String name) {
    Integer inode = inodes.get(name);
    if (inode == null) {
      throw new AssertionError(name + " was not created through the recorded seam");
    }
    return inode;
  }

  @Override
  public FileChannel createNew(Path file) throws IOException {
    FileChannel channel = super.createNew(file);
    return new RecordingChannel(channel, created(name(file)));
  }

  @Override
  public FileChannel openOrCreate(Path file) throws IOException {
    String name = name(file);
    boolean existed = Files.exists(file);
    FileChannel channel = super.openOrCreate(file);
    return new RecordingChannel(channel, existed ? inode(name) : created(name));
  }

  @Override
  public FileChannel openWrite(Path file) throws IOException {
    return new RecordingChannel(super.openWrite(file), inode(name(file)));
  }

  @Override
  public void force(FileChannel channel, boolean metadata) {
    if (!skipFileForces) {
      record(new Force(((RecordingChannel) channel).inode));
    }
  }

  @Override
  public void forceDirectory(Path dir) {
    if (!dir.toAbsolutePath().equals(directory.toAbsolutePath())) {
      throw new AssertionError("forced " + dir + ", not the journal directory");
    }
    if (!skipDirectoryForces) {
      record(new DirectoryForce());
    }
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    String name = name(file);
    synchronized (this) {
      if (Files.exists(file)) {
        super.deleteIfExists(file);
        inodes.remove(name);
        log.add(new Delete(name));
      }
    }
  }

  @Override
  public void replace(Path source, Path target) throws IOException {
    String from = name(source);
    String to = name(target);
    synchronized (this) {
      super.replace(source, target);
      inodes.put(to, inodes.remove(from));
      log.add(new Rename(from, to));
    }
  }

  /** A channel whose writes and truncates are recorded after they returned. */
  private final class RecordingChannel extends FileChannel {
    private final FileChannel delegate;
    final int inode;

    RecordingChannel(FileChannel delegate, int inode) {
      this.delegate = delegate;
      this.inode = inode;
    }

    private void recordWrite(long offset, ByteBuffer before, int written) {
      if (written > 0) {
        byte[] bytes = new byte[written];
        before.get(bytes);
        record(new Write(inode, offset, bytes));
      }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      long offset = delegate.position();
      ByteBuffer before = src.duplicate();
      int written = delegate.write(src);
      recordWrite(offset, before, written);
      return written;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      ByteBuffer before = src.duplicate();
      int written = delegate.write(src, position);
      recordWrite(position, before, written);
      return written;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        total += write(srcs[i]);
      }
      return total;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      delegate.truncate(size);
      record(new Truncate(inode, size));
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public void force(boolean metaData) {
      throw new AssertionError("the journal forces through its JournalFiles seam");
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException("not recorded");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException("not recorded");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
