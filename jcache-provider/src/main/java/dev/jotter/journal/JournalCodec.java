package dev.jotter.journal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes for one type of key or value; combine two with {@link JournalSerializer#of}. The codecs
 * here cover the common immutable types, so simple caches need no Java serialization. Decoding
 * rejects bytes that the codec could not have written (wrong length, malformed UTF-8) with an
 * {@link IllegalArgumentException}.
 *
 * @param <T> the type
 */
public interface JournalCodec<T> {

  /**
   * Encodes a non-null instance.
   *
   * @param instance the key or value, not null
   * @return its bytes
   */
  byte[] encode(T instance);

  /**
   * Decodes bytes written by {@link #encode}.
   *
   * @param bytes what {@code encode} returned, perhaps in another process
   * @return the instance
   */
  T decode(byte[] bytes);

  /** {@return the codec of strings, as UTF-8} */
  static JournalCodec<String> strings() {
    return Codecs.STRING;
  }

  /** {@return the codec of longs, as 8 big-endian bytes} */
  static JournalCodec<Long> longs() {
    return Codecs.LONG;
  }

  /** {@return the codec of integers, as 4 big-endian bytes} */
  static JournalCodec<Integer> integers() {
    return Codecs.INTEGER;
  }

  /**
   * {@return the codec of byte arrays, copied both ways so that the journal never shares an array
   * with the cache}
   */
  static JournalCodec<byte[]> byteArrays() {
    return Codecs.BYTES;
  }
}

/** The built-in codecs. */
final class Codecs {
  private Codecs() {}

  static final JournalCodec<String> STRING = new JournalCodec<>() {
    @Override
    public byte[] encode(String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("Not UTF-8: " + bytes.length + " bytes", e);
      }
    }

    @Override
    public String toString() {
      return "strings";
    }
  };

  static final JournalCodec<Long> LONG = new JournalCodec<>() {
    @Override
    public byte[] encode(Long l) {
      return ByteBuffer.allocate(Long.BYTES).putLong(l).array();
    }

    @Override
    public Long decode(byte[] bytes) {
      checkLength(bytes, Long.BYTES);
      return ByteBuffer.wrap(bytes).getLong();
    }

    @Override
    public String toString() {
      return "longs";
    }
  };

  static final JournalCodec<Integer> INTEGER = new JournalCodec<>() {
    @Override
    public byte[] encode(Integer i) {
      return ByteBuffer.allocate(Integer.BYTES).putInt(i).array();
    }

    @Override
    public Integer decode(byte[] bytes) {
      checkLength(bytes, Integer.BYTES);
      return ByteBuffer.wrap(bytes).getInt();
    }

    @Override
    public String toString() {
      return "integers";
    }
  };

  static final JournalCodec<byte[]> BYTES = new JournalCodec<>() {
    @Override
    public byte[] encode(byte[] bytes) {
      return bytes.clone();
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes.clone();
    }

    @Override
    public String toString() {
      return "byteArrays";
    }
  };

  private static void checkLength(byte[] bytes, int expected) {
    if (bytes.length != expected) {
      throw new IllegalArgumentException("Expected " + expected + " bytes, got " + bytes.length);
    }
  }
}
