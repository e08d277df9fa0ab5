package dev.jotter.journal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a journal keeps of a dead letter besides its key and value: why and when its operation was
 * given up. The exception itself is not kept (it may not be serializable, and reading it back
 * would need Java deserialization); its class name and message are.
 *
 * @param attempts the failed attempts charged to the operation
 * @param firstFailure when it first failed (wall clock, millisecond precision once journaled)
 * @param lastFailure when it last failed
 * @param causeClass the class name of the last exception
 * @param causeMessage its message, or {@code null}; at most 1,000 characters are kept
 */
public record DeadMark(int attempts, Instant firstFailure, Instant lastFailure, String causeClass,
    @Nullable String causeMessage) {
  /** The longest message kept, in characters. */
  public static final int MAX_MESSAGE = 1_000;

  /** Checks the parts and truncates the message. */
  public DeadMark {
    requireNonNull(firstFailure, "firstFailure");
    requireNonNull(lastFailure, "lastFailure");
    requireNonNull(causeClass, "causeClass");
    if (causeMessage != null && causeMessage.length() > MAX_MESSAGE) {
      causeMessage = causeMessage.substring(0, MAX_MESSAGE) + "...";
    }
  }

  /** The record's bytes in a journal frame. */
  byte[] encode() {
    byte[] type = causeClass.getBytes(StandardCharsets.UTF_8);
    byte[] message = (causeMessage == null) ? null : causeMessage.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + 8 + 8 + 4 + type.length + 4
        + ((message == null) ? 0 : message.length));
    b.putInt(attempts).putLong(firstFailure.toEpochMilli()).putLong(lastFailure.toEpochMilli())
        .putInt(type.length).put(type).putInt((message == null) ? -1 : message.length);
    if (message != null) {
      b.put(message);
    }
    return b.array();
  }

  /** Reads {@link #encode()}'s bytes; throws IllegalArgumentException if they do not parse. */
  static DeadMark decode(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      int attempts = b.getInt();
      Instant first = Instant.ofEpochMilli(b.getLong());
      Instant last = Instant.ofEpochMilli(b.getLong());
      byte[] type = new byte[b.getInt()];
      b.get(type);
      int messageLength = b.getInt();
      String message = null;
      if (messageLength >= 0) {
        byte[] m = new byte[messageLength];
        b.get(m);
        message = new String(m, StandardCharsets.UTF_8);
      }
      if (b.hasRemaining() || attempts < 0) {
        throw new IllegalArgumentException("bad dead-letter mark");
      }
      return new DeadMark(attempts, first, last, new String(type, StandardCharsets.UTF_8), message);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad dead-letter mark: " + e, e);
    }
  }
}
