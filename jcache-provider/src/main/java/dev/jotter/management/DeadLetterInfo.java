package dev.jotter.management;

import dev.jotter.writebehind.DeadLetter;
import javax.management.openmbean.CompositeData;

/**
 * One dead letter as JMX shows it (a {@code CompositeData} row): the key as text, the kind of
 * operation, its attempts, failure times and cause. Never the value, which JMX consoles would
 * display to anyone with access.
 */
public final class DeadLetterInfo {
  private final String key;
  private final boolean delete;
  private final int attempts;
  private final String firstFailure;
  private final String lastFailure;
  private final String cause;

  /**
   * @param key the key's {@code toString()}
   * @param delete whether the operation was a delete
   * @param attempts the failed attempts charged to it
   * @param firstFailure the ISO-8601 time of its first failure
   * @param lastFailure the ISO-8601 time of its last failure
   * @param cause the exception of the last failure, as {@code class: message}
   */
  public DeadLetterInfo(String key, boolean delete, int attempts, String firstFailure,
      String lastFailure, String cause) {
    this.key = key;
    this.delete = delete;
    this.attempts = attempts;
    this.firstFailure = firstFailure;
    this.lastFailure = lastFailure;
    this.cause = cause;
  }

  static DeadLetterInfo of(DeadLetter<?, ?> letter) {
    return new DeadLetterInfo(String.valueOf(letter.key()), letter.isDelete(), letter.attempts(),
        letter.firstFailure().toString(), letter.lastFailure().toString(),
        letter.causeClass() + letter.causeMessage().map(m -> ": " + m).orElse(""));
  }

  /** Rebuilds one from its JMX form, for {@code JMX.newMXBeanProxy} clients. */
  public static DeadLetterInfo from(CompositeData data) {
    return new DeadLetterInfo((String) data.get("key"), (Boolean) data.get("delete"),
        (Integer) data.get("attempts"), (String) data.get("firstFailure"),
        (String) data.get("lastFailure"), (String) data.get("cause"));
  }

  /** The key's {@code toString()}: what {@code resubmitDeadLetters(String[])} takes. */
  public String getKey() {
    return key;
  }

  /** Whether the operation was a delete. */
  public boolean isDelete() {
    return delete;
  }

  /** The failed attempts charged to the operation. */
  public int getAttempts() {
    return attempts;
  }

  /** The ISO-8601 time of the first failure. */
  public String getFirstFailure() {
    return firstFailure;
  }

  /** The ISO-8601 time of the last failure. */
  public String getLastFailure() {
    return lastFailure;
  }

  /** The exception of the last failure, as {@code class: message}. */
  public String getCause() {
    return cause;
  }
}
