package dev.jotter.writebehind;

import dev.jotter.writer.WriterRoute;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An operation whose retry budget is spent: the writer failed it {@code maxAttempts} times, or
 * for longer than {@code maxRetryTime}. It stays with its cache's {@link DeadLetters} — in the
 * journal of a durable cache, so that it survives restarts and crashes — until it is resubmitted,
 * discarded by an operator, or superseded by a newer mutation of its key.
 *
 * <p>Immutable. {@link #toString()} names the key and the failure, never the value, because
 * dead letters are logged.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class DeadLetter<K, V> implements WriterRoute.Pending<V> {
  /** The longest cause message kept, in characters. */
  static final int MAX_MESSAGE = 1_000;

  private final Origin<K, V> source;
  /** Tells this letter from later ones of its key. */
  final long id;
  /** The journal sequence of the operation; 0 without a journal. */
  final long sequence;
  private final K key;
  private final @Nullable V value;
  private final int attempts;
  private final Instant firstFailure;
  private final Instant lastFailure;
  private final String causeClass;
  private final @Nullable String causeMessage;
  private final @Nullable Throwable cause;

  DeadLetter(Origin<K, V> source, long id, long sequence, K key, @Nullable V value, int attempts,
      Instant firstFailure, Instant lastFailure, String causeClass, @Nullable String causeMessage,
      @Nullable Throwable cause) {
    this.source = source;
    this.id = id;
    this.sequence = sequence;
    this.key = key;
    this.value = value;
    this.attempts = attempts;
    this.firstFailure = firstFailure;
    this.lastFailure = lastFailure;
    this.causeClass = causeClass;
    this.causeMessage = truncate(causeMessage);
    this.cause = cause;
  }

  /**
   * Where a letter was made and goes back to when resubmitted: a cache's own buffer, or a
   * write-behind log of another module (the Kafka log keeps its letters in a topic) that makes
   * letters with {@link DeadLetter#of}.
   *
   * @param <K> the type of keys
   * @param <V> the type of values
   */
  public interface Origin<K, V> {
    /** The name of the cache whose writes the letters are. */
    String cacheName();

    /**
     * Queues {@code letter} again with a fresh retry budget, if it is still its key's letter.
     *
     * @return whether it was queued
     */
    boolean resubmit(DeadLetter<K, V> letter);
  }

  /**
   * A letter of a write-behind log other than the cache's own buffer.
   *
   * @param origin takes the letter back on {@link #resubmit()}
   * @param id tells this letter from other letters of its key (say, its offset in a topic)
   * @param key the key, not null
   * @param value the value to be written, or {@code null} for a delete
   * @param attempts the failed attempts charged to the operation, at least 0
   * @param firstFailure when its retry budget started, not null
   * @param lastFailure when it last failed, not null
   * @param causeClass the class name of the last failure's exception, not null
   * @param causeMessage its message, or {@code null}; cut to 1,000 characters
   * @return the letter, without a cause object ({@link #cause()} is empty)
   * @throws NullPointerException if a required argument is null
   * @throws IllegalArgumentException if {@code attempts} is negative
   */
  public static <K, V> DeadLetter<K, V> of(Origin<K, V> origin, long id, K key, @Nullable V value,
      int attempts, Instant firstFailure, Instant lastFailure, String causeClass,
      @Nullable String causeMessage) {
    java.util.Objects.requireNonNull(origin, "origin");
    java.util.Objects.requireNonNull(key, "key");
    java.util.Objects.requireNonNull(firstFailure, "firstFailure");
    java.util.Objects.requireNonNull(lastFailure, "lastFailure");
    java.util.Objects.requireNonNull(causeClass, "causeClass");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0, was " + attempts);
    }
    return new DeadLetter<>(origin, id, 0, key, value, attempts, firstFailure, lastFailure,
        causeClass, causeMessage, null);
  }

  /** Tells this letter from other letters of its key: given by its origin, unique per key. */
  public long id() {
    return id;
  }

  /** This letter with its identity among the buffer's letters. */
  DeadLetter<K, V> withId(long newId) {
    return new DeadLetter<>(source, newId, sequence, key, value, attempts, firstFailure,
        lastFailure, causeClass, causeMessage, cause);
  }

  static @Nullable String truncate(@Nullable String message) {
    return (message == null || message.length() <= MAX_MESSAGE)
        ? message : message.substring(0, MAX_MESSAGE) + "...";
  }

  /** The name of the cache whose buffer gave up the operation. */
  public String cacheName() {
    return source.cacheName();
  }

  /** The key. */
  public K key() {
    return key;
  }

  /** The value that was to be written, or {@code null} for a delete. */
  @Override
  public @Nullable V value() {
    return value;
  }

  /** Whether the operation was a delete. */
  @Override
  public boolean isDelete() {
    return value == null;
  }

  /**
   * The failed attempts charged to the operation. A whole-batch failure that was then split to
   * find the failing entries is not charged to the entries that turned out to be healthy.
   */
  public int attempts() {
    return attempts;
  }

  /** The wall-clock time of the first failure of the key's operation (its retry budget's start). */
  public Instant firstFailure() {
    return firstFailure;
  }

  /** The wall-clock time of the last failure. */
  public Instant lastFailure() {
    return lastFailure;
  }

  /** The class name of the exception of the last attempt. */
  public String causeClass() {
    return causeClass;
  }

  /** The message of the exception of the last attempt (at most 1,000 characters), if it had one. */
  public Optional<String> causeMessage() {
    return Optional.ofNullable(causeMessage);
  }

  /**
   * The exception of the last attempt itself; empty for a letter recovered from the journal,
   * which keeps only its class and message.
   */
  public Optional<Throwable> cause() {
    return Optional.ofNullable(cause);
  }

  /**
   * Queues the operation again in the buffer it came from, with a fresh retry budget. Refused when
   * the letter is stale (a newer mutation of the key arrived, or it was resubmitted or discarded
   * before) or when the cache is closing. A full buffer takes it beyond its bound (see
   * {@link DeadLetters#resubmitAll()}).
   *
   * @return whether the operation was queued
   */
  public boolean resubmit() {
    return source.resubmit(this);
  }

  @Override
  public String toString() {
    return "DeadLetter{cache=" + cacheName() + ", " + (isDelete() ? "delete " : "write ") + key
        + ", attempts=" + attempts + ", firstFailure=" + firstFailure + ", lastFailure="
        + lastFailure + ", cause=" + causeClass
        + ((causeMessage == null) ? "" : ": " + causeMessage) + '}';
  }
}
