package dev.jotter.journal;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The byte layout of a journal segment, in one place (all integers big-endian).
 *
 * <pre>
 * segment  = header frame*
 * header   = magic:int32 ("JTJ1" = 0x4A544A31)  version:int32 (1)           8 bytes
 * frame    = length:int32  crc:int32  payload[length]                         8 + length bytes
 *            crc = CRC32C of the payload bytes
 * payload  = WRITE:  type:int8 (1) sequence:int64 keyLength:int32 key[keyLength] value[rest]
 *          | DELETE: type:int8 (2) sequence:int64 keyLength:int32 key[keyLength]
 *          | DONE:   type:int8 (3) sequence:int64          (the sequence it finishes)
 *          | DEAD:   type:int8 (4: a write, 5: a delete) sequence:int64 keyLength:int32 key[keyLength]
 *                    markLength:int32 mark[markLength] value[rest]   (a dead letter; mark: DeadMark)
 * </pre>
 *
 * <p>A frame is good when its length fits the file, its CRC matches, and its payload parses
 * exactly (known type, positive sequence, key and mark inside the payload, a DONE and a DELETE
 * without trailing bytes). The reader stops at the first frame that is not good: nothing after it in the
 * same file is trusted, because a crash tears the end of a file and garbage that happens to
 * look like a frame must never become a record.
 */
final class RecordFormat {
  static final int MAGIC = 0x4A544A31;
  static final int VERSION = 1;
  static final int HEADER_SIZE = 8;
  static final int FRAME_OVERHEAD = 8;
  static final byte WRITE = 1;
  static final byte DELETE = 2;
  static final byte DONE = 3;
  static final byte DEAD_WRITE = 4;
  static final byte DEAD_DELETE = 5;
  /** Payload bytes before the key of a WRITE or DELETE. */
  static final int OP_PREFIX = 1 + 8 + 4;
  static final int DONE_PAYLOAD = 1 + 8;
  static final int DONE_FRAME = FRAME_OVERHEAD + DONE_PAYLOAD;

  private RecordFormat() {}

  static byte[] header() {
    return ByteBuffer.allocate(HEADER_SIZE).putInt(MAGIC).putInt(VERSION).array();
  }

  /** The frame size of an operation with these serialized parts; fails if it cannot be framed. */
  static int opFrameSize(byte[] key, byte @Nullable [] value) {
    long size = (long) FRAME_OVERHEAD + OP_PREFIX + key.length + ((value == null) ? 0 : value.length);
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("A journal record holds at most 2 GiB; this one needs "
          + size + " bytes");
    }
    return (int) size;
  }

  /** Encodes a WRITE ({@code value} non-null) or DELETE frame. */
  static byte[] encodeOp(long sequence, byte[] key, byte @Nullable [] value) {
    return encodeOp(sequence, key, value, null);
  }

  /** Encodes a WRITE or DELETE frame, or with a {@code mark} the DEAD frame of a dead letter. */
  static byte[] encodeOp(long sequence, byte[] key, byte @Nullable [] value,
      byte @Nullable [] mark) {
    int size = opFrameSize(key, value) + ((mark == null) ? 0 : 4 + mark.length);
    byte type = (mark == null) ? ((value == null) ? DELETE : WRITE)
        : ((value == null) ? DEAD_DELETE : DEAD_WRITE);
    ByteBuffer frame = ByteBuffer.allocate(size);
    frame.putInt(size - FRAME_OVERHEAD).putInt(0)
        .put(type).putLong(sequence).putInt(key.length).put(key);
    if (mark != null) {
      frame.putInt(mark.length).put(mark);
    }
    if (value != null) {
      frame.put(value);
    }
    return seal(frame.array());
  }

  static byte[] encodeDone(long sequence) {
    ByteBuffer frame = ByteBuffer.allocate(DONE_FRAME);
    frame.putInt(DONE_PAYLOAD).putInt(0).put(DONE).putLong(sequence);
    return seal(frame.array());
  }

  private static byte[] seal(byte[] frame) {
    CRC32C crc = new CRC32C();
    crc.update(frame, FRAME_OVERHEAD, frame.length - FRAME_OVERHEAD);
    ByteBuffer.wrap(frame).putInt(4, (int) crc.getValue());
    return frame;
  }

  /**
   * A good frame read back. {@code key} and {@code value} are null for DONE; value for a delete;
   * {@code mark} is non-null only for a dead letter.
   */
  static final class Frame {
    final byte type;
    final long sequence;
    final byte @Nullable [] key;
    final byte @Nullable [] value;
    final byte @Nullable [] mark;
    final long offset;
    final int size;

    Frame(byte type, long sequence, byte @Nullable [] key, byte @Nullable [] value,
        byte @Nullable [] mark, long offset, int size) {
      this.type = type;
      this.sequence = sequence;
      this.key = key;
      this.value = value;
      this.mark = mark;
      this.offset = offset;
      this.size = size;
    }

    boolean isOp() {
      return type != DONE;
    }

    boolean isDelete() {
      return type == DELETE || type == DEAD_DELETE;
    }

    byte[] encode() {
      return isOp() ? encodeOp(sequence, opKey(), isDelete() ? null : value, mark)
          : encodeDone(sequence);
    }

    /** The key of a WRITE, DELETE or DEAD frame, which always has one. */
    byte[] opKey() {
      return Objects.requireNonNull(key, "a DONE frame has no key");
    }
  }

  /** Why reading stopped before the end of a file; {@code offset} is where the good part ends. */
  static final class Corrupt extends Exception {
    private static final long serialVersionUID = 1L;
    final long offset;

    Corrupt(long offset, String reason) {
      super(reason, null, false, false);
      this.offset = offset;
    }
  }

  /** Reads the frames of one segment file from the start; not thread-safe. */
  static final class Reader implements Closeable {
    private final FileChannel channel;
    private final DataInputStream in;
    private final long fileSize;
    private long position;

    /** Reads from {@code channel}'s start; closing the reader closes it. */
    Reader(FileChannel channel) throws IOException {
      this.channel = channel;
      try {
        fileSize = channel.size();
      } catch (IOException e) {
        channel.close();
        throw e;
      }
      in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
    }

    long fileSize() {
      return fileSize;
    }

    /** The end of the last good frame (or header). */
    long position() {
      return position;
    }

    /** Checks the header; an empty file (crash right after its creation) has none and no frames. */
    boolean readHeader() throws IOException, Corrupt {
      if (fileSize == 0) {
        return false;
      }
      if (fileSize < HEADER_SIZE) {
        throw new Corrupt(0, "torn segment header");
      }
      int magic = in.readInt();
      int version = in.readInt();
      if (magic != MAGIC) {
        throw new Corrupt(0, "not a journal segment (bad magic)");
      }
      if (version != VERSION) {
        throw new Corrupt(0, "unknown segment version " + version);
      }
      position = HEADER_SIZE;
      return true;
    }

    /** Returns the next good frame, null at a clean end, or throws where the good part ends. */
    @Nullable Frame next() throws IOException, Corrupt {
      long remaining = fileSize - position;
      if (remaining == 0) {
        return null;
      }
      if (remaining < FRAME_OVERHEAD) {
        throw new Corrupt(position, "torn frame header");
      }
      int length;
      int crc;
      byte[] payload;
      try {
        length = in.readInt();
        crc = in.readInt();
        if ((length < DONE_PAYLOAD) || (length > remaining - FRAME_OVERHEAD)) {
          throw new Corrupt(position, (length > remaining - FRAME_OVERHEAD)
              ? "torn or bad frame length " + length : "bad frame length " + length);
        }
        payload = new byte[length];
        in.readFully(payload);
      } catch (EOFException e) { // the file shrank under us: treat as torn
        throw new Corrupt(position, "file ended inside a frame");
      }
      CRC32C check = new CRC32C();
      check.update(payload);
      if ((int) check.getValue() != crc) {
        throw new Corrupt(position, "checksum mismatch");
      }
      Frame frame = parse(payload, position, FRAME_OVERHEAD + length);
      position += FRAME_OVERHEAD + length;
      return frame;
    }

    private static Frame parse(byte[] payload, long offset, int size) throws Corrupt {
      ByteBuffer p = ByteBuffer.wrap(payload);
      byte type = p.get();
      long sequence = p.getLong();
      if (sequence <= 0) {
        throw new Corrupt(offset, "bad sequence " + sequence);
      }
      if (type == DONE) {
        if (payload.length != DONE_PAYLOAD) {
          throw new Corrupt(offset, "bad DONE length");
        }
        return new Frame(type, sequence, null, null, null, offset, size);
      }
      if (type < WRITE || type > DEAD_DELETE || payload.length < OP_PREFIX) {
        throw new Corrupt(offset, "bad record type " + type);
      }
      int keyLength = p.getInt();
      if (keyLength < 0 || keyLength > payload.length - OP_PREFIX) {
        throw new Corrupt(offset, "bad key length " + keyLength);
      }
      byte[] key = new byte[keyLength];
      p.get(key);
      byte[] mark = null;
      if (type == DEAD_WRITE || type == DEAD_DELETE) {
        int markLength = (p.remaining() >= 4) ? p.getInt() : -1;
        if (markLength < 0 || markLength > p.remaining()) {
          throw new Corrupt(offset, "bad dead-letter mark length " + markLength);
        }
        mark = new byte[markLength];
        p.get(mark);
      }
      byte[] value = new byte[p.remaining()];
      p.get(value);
      boolean delete = (type == DELETE || type == DEAD_DELETE);
      if (delete && value.length != 0) {
        throw new Corrupt(offset, "bad DELETE length");
      }
      return new Frame(type, sequence, key, delete ? null : value, mark, offset, size);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
