package dev.jotter.management;

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

  /** Dead letters waiting for resubmission, or -1 if the dead-letter handler cannot tell. */
  int getDeadLetters();

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
   * Queues the dead letters again; a letter whose key has changed since is dropped, not
   * resubmitted, because writing it would travel back in time.
   *
   * @return how many were resubmitted
   * @throws UnsupportedOperationException if the dead-letter handler is not the default queue
   */
  int resubmitDeadLetters();
}
