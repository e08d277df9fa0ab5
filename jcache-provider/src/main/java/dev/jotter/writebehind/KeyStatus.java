package dev.jotter.writebehind;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What write-behind knows about one key at one moment: "what happened to key k?". Returned by
 * {@code JotterCache.of(cache).writeBehind().orElseThrow().status(key)}; write-behind is hard to
 * debug without it.
 *
 * <p>Immutable. {@link #toString()} never shows the value.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class KeyStatus<K, V> {

  /** Where the key's newest state is on its way to the writer. */
  public enum State {
    /** Nothing unconfirmed: the writer holds the key's newest state (or never saw the key). */
    CONFIRMED,
    /** An operation waits for its batch. */
    WAITING,
    /** An operation is with the writer now. */
    WRITING,
    /** An operation failed and waits for its retry. */
    RETRYING,
    /** The key's operation was given up and is a dead letter. */
    DEAD_LETTER
  }

  private final K key;
  private final State state;
  private final boolean delete;
  private final @Nullable V value;
  private final int queued;
  private final int attempts;
  private final @Nullable Instant acceptedAt;
  private final @Nullable Instant firstFailure;
  private final @Nullable Instant lastFailure;
  private final @Nullable String lastCause;
  private final @Nullable Instant nextAttempt;
  private final @Nullable DeadLetter<K, V> deadLetter;

  private KeyStatus(K key, State state, boolean delete, @Nullable V value, int queued,
      int attempts, @Nullable Instant acceptedAt, @Nullable Instant firstFailure,
      @Nullable Instant lastFailure, @Nullable String lastCause, @Nullable Instant nextAttempt,
      @Nullable DeadLetter<K, V> deadLetter) {
    this.key = key;
    this.state = state;
    this.delete = delete;
    this.value = value;
    this.queued = queued;
    this.attempts = attempts;
    this.acceptedAt = acceptedAt;
    this.firstFailure = firstFailure;
    this.lastFailure = lastFailure;
    this.lastCause = lastCause;
    this.nextAttempt = nextAttempt;
    this.deadLetter = deadLetter;
  }

  /**
   * The status of a key none of whose states is unconfirmed; for the {@link WriteBehindLog}s of
   * other modules.
   *
   * @param <K> the type of keys
   * @param <V> the type of values
   * @param key the key
   * @return {@link State#CONFIRMED}
   */
  public static <K, V> KeyStatus<K, V> confirmed(K key) {
    return new KeyStatus<>(key, State.CONFIRMED, false, null, 0, 0, null, null, null, null, null,
        null);
  }

  /**
   * The status of a key whose newest state waits to be written and has not failed; for the
   * {@link WriteBehindLog}s of other modules, which know no more than that.
   *
   * @param <K>        the type of keys
   * @param <V>        the type of values
   * @param key        the key
   * @param value      the waiting value, or {@code null} for a delete
   * @param acceptedAt when the mutation was acknowledged
   * @return {@link State#WAITING}, one operation queued, no attempt yet
   */
  public static <K, V> KeyStatus<K, V> waiting(K key, @Nullable V value, Instant acceptedAt) {
    return pending(key, State.WAITING, value == null, value, 1, 0, acceptedAt, null, null, null,
        null);
  }

  static <K, V> KeyStatus<K, V> pending(K key, State state, boolean delete, @Nullable V value,
      int queued, int attempts, Instant acceptedAt, @Nullable Instant firstFailure,
      @Nullable Instant lastFailure, @Nullable String lastCause, @Nullable Instant nextAttempt) {
    return new KeyStatus<>(key, state, delete, value, queued, attempts, acceptedAt, firstFailure,
        lastFailure, lastCause, nextAttempt, null);
  }

  /**
   * The status of a key whose newest state is a dead letter; for the {@link WriteBehindLog}s of
   * other modules.
   *
   * @param <K> the type of keys
   * @param <V> the type of values
   * @param letter the key's letter
   * @return {@link State#DEAD_LETTER}, with the letter's attempts, failure times and cause
   */
  public static <K, V> KeyStatus<K, V> dead(DeadLetter<K, V> letter) {
    return new KeyStatus<>(letter.key(), State.DEAD_LETTER, letter.isDelete(), letter.value(), 0,
        letter.attempts(), null, letter.firstFailure(), letter.lastFailure(),
        letter.causeClass() + letter.causeMessage().map(m -> ": " + m).orElse(""), null, letter);
  }

  /** The key. */
  public K key() {
    return key;
  }

  /** Where the key's newest state is. */
  public State state() {
    return state;
  }

  /** Whether the pending operation or dead letter is a delete. */
  public boolean isDelete() {
    return delete;
  }

  /**
   * The value of the newest pending operation or of the dead letter; empty for a delete or when
   * nothing is pending.
   */
  public Optional<V> value() {
    return Optional.ofNullable(value);
  }

  /** The operations of the key not yet confirmed (with coalescing at most 2: one sent, one waiting). */
  public int queuedOperations() {
    return queued;
  }

  /** The failed attempts charged to the key's operation within its retry budget. */
  public int attempts() {
    return attempts;
  }

  /** When the oldest unconfirmed mutation of the key was accepted, approximately (wall clock). */
  public Optional<Instant> acceptedAt() {
    return Optional.ofNullable(acceptedAt);
  }

  /** When the key's operation first failed: where its retry budget began. */
  public Optional<Instant> firstFailure() {
    return Optional.ofNullable(firstFailure);
  }

  /** When it last failed. */
  public Optional<Instant> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /** The exception of the last failure, as {@code class: message}. */
  public Optional<String> lastCause() {
    return Optional.ofNullable(lastCause);
  }

  /** When the next attempt may leave, while {@link State#RETRYING}. */
  public Optional<Instant> nextAttempt() {
    return Optional.ofNullable(nextAttempt);
  }

  /** The key's dead letter, while {@link State#DEAD_LETTER}. */
  public Optional<DeadLetter<K, V>> deadLetter() {
    return Optional.ofNullable(deadLetter);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("KeyStatus{").append(key).append(": ").append(state);
    if (state != State.CONFIRMED) {
      s.append(delete ? ", delete" : ", write").append(", queued=").append(queued);
    }
    if (attempts > 0 || firstFailure != null) {
      s.append(", attempts=").append(attempts).append(", firstFailure=").append(firstFailure)
          .append(", lastFailure=").append(lastFailure).append(", cause=").append(lastCause);
    }
    if (nextAttempt != null) {
      s.append(", nextAttempt=").append(nextAttempt);
    }
    return s.append('}').toString();
  }
}
