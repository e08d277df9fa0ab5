package dev.jotter.writebehind;

import static java.util.Objects.requireNonNull;

import dev.jotter.journal.DeadMark;
import dev.jotter.journal.Journal;
import dev.jotter.journal.JournalRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The dead letters of a write-behind buffer: how operations whose budget is spent become letters,
 * and the operator's {@link DeadLetters} view of them (contract clause 6).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A letter is journaled, and made as durable as the journal makes mutations ({@code SYNC}:
 *       forced), outside the buffer's lock and before it shows ({@link #journal}), so that a
 *       letter an operator has seen survives a crash. If the journal fails, no letter is made
 *       and the operation stays pending.
 *   <li>Bounded by {@code maxDeadLetters} without ever dropping one: {@link #claim} reserves room
 *       before an operation starts on its way to become a letter; without room it stays pending.
 *   <li>A key has at most one letter, its newest state; a mutation of the key supersedes it
 *       ({@link #supersede}), the handler hears of it, and its record is done in the journal.
 *   <li>Letters are listed in the order their journal holds them, the order a restart lists them
 *       in too.
 *   <li>Every method but {@link #journal} and the view's runs under the buffer's lock; handler
 *       calls and log lines are {@link Notices}, delivered after unlocking.
 * </ul>
 */
final class LetterDesk<K, V> {
  /** Puts letters back into the buffer's queue; see {@link DeadLetters#resubmit}. */
  interface Resubmission<K, V> {
    /**
     * Queues the letters of {@code keys} (all if {@code null}), or only {@code only} if given.
     *
     * @return how many were queued
     */
    int resubmit(@Nullable Collection<? extends K> keys, @Nullable DeadLetter<K, V> only);
  }

  private final String cacheName;
  private final DeadLetterStore<K, V> letters;
  private final Journal<K, V> journal;
  private final boolean durable;
  private final DeadLetterHandler<K, V> handler;
  private final FailureLog<K, V> log;
  private final Notices notices;
  private final Counters counters;
  private final BufferLock lock;
  private final LongFunction<Instant> wall;
  private final Resubmission<K, V> resubmission;
  /** Letters being journaled outside the lock; they count against maxDeadLetters already. */
  private int onTheirWay;
  private long nextId;

  LetterDesk(String cacheName, int capacity, Journal<K, V> journal, boolean durable,
      DeadLetterHandler<K, V> handler, FailureLog<K, V> log, Notices notices, Counters counters,
      BufferLock lock, LongFunction<Instant> wall, Resubmission<K, V> resubmission) {
    this.cacheName = cacheName;
    this.letters = new DeadLetterStore<>(capacity);
    this.journal = journal;
    this.durable = durable;
    this.handler = handler;
    this.log = log;
    this.notices = notices;
    this.counters = counters;
    this.lock = lock;
    this.wall = wall;
    this.resubmission = resubmission;
  }

  /** Reserves room for one letter; {@code false} if the letters are full. */
  boolean claim() {
    if (letters.size() + onTheirWay < letters.capacity()) {
      onTheirWay++;
      return true;
    }
    return false;
  }

  /** Letters made by {@link #journal}; a {@code null} letter was not journaled. */
  record Made<K, V>(List<@Nullable DeadLetter<K, V>> letters,
      @Nullable RuntimeException journalFailure) {}

  /**
   * Makes the letters of operations whose budget is spent and journals them; outside the lock,
   * while the operations stay in flight, so that nothing of their keys overtakes them.
   */
  Made<K, V> journal(List<Op<K, V>> dying) {
    List<@Nullable DeadLetter<K, V>> made = new ArrayList<>(dying.size());
    RuntimeException journalFailure = null;
    long newest = 0;
    for (Op<K, V> op : dying) {
      Throwable cause = op.lastFailure;
      String causeClass = (cause == null) ? "unknown" : cause.getClass().getName();
      String message = (cause == null) ? null : cause.getMessage();
      Instant first = wall.apply(op.firstFailureAt);
      Instant last = wall.apply(op.lastFailureAt);
      V value = op.value();
      long sequence = op.sequence;
      if (durable && journalFailure == null) {
        try {
          sequence = journal.appendDead(op.key, value,
              new DeadMark(op.attempts, first, last, causeClass, message));
          newest = Math.max(newest, sequence);
        } catch (RuntimeException e) {
          journalFailure = e;
        }
      }
      made.add((durable && journalFailure != null) ? null : new DeadLetter<>(origin, 0, sequence,
          op.key, value, op.attempts, first, last, causeClass, message, cause));
    }
    if (durable && journalFailure == null) {
      try {
        journal.awaitDurable(newest);
      } catch (RuntimeException e) {
        journalFailure = e;
        made.replaceAll(letter -> null);
      }
    }
    return new Made<>(made, journalFailure);
  }

  /** The letters claimed for {@code count} operations have arrived (or not been made). */
  void arrived(int count) {
    onTheirWay -= count;
  }

  /** Shows a letter made by {@link #journal}. */
  void add(DeadLetter<K, V> made) {
    // durable: ordered as journaled, which is the order a restart lists them in, even when two
    // flushers' letters reach the lock the other way round
    DeadLetter<K, V> letter = made.withId(durable ? made.sequence : nextId++);
    DeadLetter<K, V> previous = letters.add(letter);
    if (previous != null) {
      journal.markDone(previous.sequence);
    }
    counters.deadLettered.increment();
    log.deadLettered(letter, letters.size() == 1, notices);
    notices.add(() -> handler.deadLettered(letter));
  }

  /** A letter recovered from the journal, in journal order; {@code mark} is its record's. */
  void recover(JournalRecord<K, V> record, DeadMark mark) {
    DeadLetter<K, V> letter = new DeadLetter<>(origin, record.sequence(), record.sequence(),
        record.key(), record.value(), mark.attempts(), mark.firstFailure(), mark.lastFailure(),
        mark.causeClass(), mark.causeMessage(), null);
    DeadLetter<K, V> previous = letters.add(letter);
    if (previous != null) {
      journal.markDone(previous.sequence);
    }
  }

  /** A mutation of a key makes its letter stale; ordered with resubmission by the lock. */
  void supersede(K key) {
    if (!letters.isEmpty()) {
      DeadLetter<K, V> stale = letters.remove(key);
      if (stale != null) {
        journal.markDone(stale.sequence);
        notices.add(() -> handler.superseded(key));
      }
    }
  }

  /** The letter of a key or {@code null}, without the lock (see {@link DeadLetterStore#lookup}). */
  @Nullable DeadLetter<K, V> lookup(K key) {
    return letters.lookup(key);
  }

  @Nullable DeadLetter<K, V> get(K key) {
    return letters.get(key);
  }

  /** The letters of {@code keys} (all if {@code null}), oldest first. */
  List<DeadLetter<K, V>> select(@Nullable Collection<? extends K> keys) {
    return letters.select(keys);
  }

  /** Takes a letter off the desk as it is queued again; its record is done in the journal. */
  void resubmitted(DeadLetter<K, V> letter) {
    letters.remove(letter.key());
    journal.markDone(letter.sequence);
  }

  int size() {
    return letters.size();
  }

  int capacity() {
    return letters.capacity();
  }

  /** The letters' keys, oldest first. */
  List<K> keys() {
    return letters.keys();
  }

  private int discardLetters(@Nullable Collection<? extends K> keys) {
    List<K> discarded = new ArrayList<>();
    lock.lock();
    try {
      for (DeadLetter<K, V> letter : letters.select(keys)) {
        letters.remove(letter.key());
        journal.markDone(letter.sequence);
        discarded.add(letter.key());
      }
      counters.deadLettersDiscarded.add(discarded.size());
      if (!discarded.isEmpty()) {
        log.discarded(discarded, notices);
      }
    } finally {
      lock.unlock();
    }
    notices.deliver();
    return discarded.size();
  }

  /** The operator's view. */
  final DeadLetters<K, V> view = new DeadLetters<>() {
    @Override
    public int size() {
      return lock.locked(letters::size);
    }

    @Override
    public int capacity() {
      return letters.capacity();
    }

    @Override
    public List<DeadLetter<K, V>> list(int offset, int limit) {
      if (offset < 0 || limit < 0) {
        throw new IllegalArgumentException("offset and limit must be at least 0, were " + offset
            + " and " + limit);
      }
      return lock.locked(() -> letters.list(offset, limit));
    }

    @Override
    public Optional<DeadLetter<K, V>> get(K key) {
      requireNonNull(key, "key");
      return Optional.ofNullable(lock.locked(() -> letters.get(key)));
    }

    @Override
    public int resubmitAll() {
      return resubmission.resubmit(null, null);
    }

    @Override
    public int resubmit(Collection<? extends K> keys) {
      return resubmission.resubmit(requireNonNull(keys, "keys"), null);
    }

    @Override
    public int discardAll() {
      return discardLetters(null);
    }

    @Override
    public int discard(Collection<? extends K> keys) {
      return discardLetters(requireNonNull(keys, "keys"));
    }

    @Override
    public String toString() {
      return "DeadLetters[" + cacheName + ", " + size() + " of " + capacity() + "]";
    }
  };

  /** Where this desk's letters go back to: {@link DeadLetter#resubmit}. */
  private final DeadLetter.Origin<K, V> origin = new DeadLetter.Origin<>() {
    @Override
    public String cacheName() {
      return cacheName;
    }

    @Override
    public boolean resubmit(DeadLetter<K, V> letter) {
      return resubmission.resubmit(List.of(letter.key()), letter) == 1;
    }
  };
}
