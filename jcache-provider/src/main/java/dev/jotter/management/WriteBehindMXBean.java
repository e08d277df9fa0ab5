package dev.jotter.management;

import java.util.List;

/**
 * The write-behind figures and operations of one cache in JMX, registered as
 * {@code javax.cache:type=CacheWriteBehind,CacheManager=<manager URI>,Cache=<cache name>} beside
 * the standard {@code CacheStatistics} and {@code CacheConfiguration} beans (same name scheme,
 * see {@link MBeans}), for every write-behind cache, from its creation to its close or
 * destruction.
 *
 * <p>Counters count from the cache's creation; times are in the unit their name says.
 */
public interface WriteBehindMXBean {

  /** Operations accepted and not yet confirmed by the writer, in flight included. */
  long getPendingOperations();

  /** How long the oldest pending operation has waited (the lag), in seconds; zero when none. */
  double getOldestPendingAgeSeconds();

  /** Operations the writer confirmed. */
  long getWritten();

  /** Operations replaced by a newer operation of their key before the writer confirmed them. */
  long getCoalesced();

  /** Failed operations scheduled for another attempt. */
  long getRetried();

  /** Failed attempts of operations. */
  long getFailed();

  /** Operations handed to the dead-letter handler. */
  long getDeadLettered();

  /** Operations still unconfirmed when closing gave up draining. */
  long getLost();

  /** Mutations that found the buffer full. */
  long getOverflowEvents();

  /** What a mutation does when the buffer is full: BLOCK, FAIL or WRITE_THROUGH. */
  String getOverflowPolicy();

  /** Calls of the writer, successful or not. */
  long getWriterCalls();

  /** Batches sent. */
  long getBatches();

  /** Entries or keys per writer call, on average; zero before the first call. */
  double getAverageBatchSize();

  /** Latency of a writer call, on average, in milliseconds; zero before the first call. */
  double getAverageWriterCallMillis();

  /** Dead letters kept now. */
  int getDeadLetters();

  /** The most dead letters kept ({@code maxDeadLetters}). */
  int getDeadLetterCapacity();

  /** Dead letters an operator discarded. */
  long getDeadLettersDiscarded();

  /** Operations kept pending because the dead letters were full. */
  long getDeadLetterOverflow();

  /** How long writer calls have written nothing, in seconds; zero while the writer works. */
  double getWriterFailingForSeconds();

  /** Whether the cache journals its pending operations to disk. */
  boolean isJournaled();

  /** fsyncs of the journal; zero without one. */
  long getJournalSyncs();

  /** Torn or corrupt journal tails truncated when the journal was opened; zero without one. */
  long getJournalCorruptTailRecoveries();

  /**
   * Waits up to 30 seconds until everything queued before the call is written or dead-lettered.
   *
   * @return whether it was in time
   */
  boolean flush();

  /**
   * Waits up to {@code timeoutMillis} until everything queued before the call is written or
   * dead-lettered.
   *
   * @return whether it was in time
   */
  boolean flush(long timeoutMillis);

  /**
   * Lists a page of the dead letters, oldest first: keys with their cause, never values.
   *
   * @param offset how many letters to skip
   * @param limit the most letters to return
   */
  List<DeadLetterInfo> listDeadLetters(int offset, int limit);

  /**
   * Queues every dead letter again with a fresh retry budget (a letter whose key changed since is
   * gone already: a newer mutation supersedes it).
   *
   * @return how many were resubmitted
   */
  int resubmitDeadLetters();

  /**
   * Queues again the dead letters of these keys, named by their {@code toString()} as
   * {@link #listDeadLetters} shows them.
   *
   * @return how many were resubmitted
   */
  int resubmitDeadLetters(String[] keys);

  /**
   * Drops every dead letter for good: their writes never reach the writer. Counted and logged.
   *
   * @return how many were discarded
   */
  int discardDeadLetters();

  /**
   * Drops the dead letters of these keys for good, named as {@link #listDeadLetters} shows them.
   *
   * @return how many were discarded
   */
  int discardDeadLetters(String[] keys);
}
