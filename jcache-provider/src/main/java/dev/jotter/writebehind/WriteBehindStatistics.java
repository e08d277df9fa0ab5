package dev.jotter.writebehind;

import java.time.Duration;

/**
 * A snapshot of a buffer's counters. Counters start at zero when the buffer is created.
 *
 * @param pendingOperations operations accepted and not yet confirmed, in flight included
 * @param oldestPendingAge how long the oldest of them has waited (the lag); zero when none
 * @param coalesced operations replaced by a newer operation of their key before confirmation
 * @param written operations the writer confirmed
 * @param writerCalls calls of the writer, successful or not
 * @param batches batches sent
 * @param retried failed operations scheduled for another attempt
 * @param failed failed attempts of operations
 * @param deadLettered operations whose retry budget was spent
 * @param lost operations and dead letters that closing could not keep (caches without a journal)
 * @param overflowEvents reservations that found the buffer full
 * @param deadLetters dead letters kept now
 * @param deadLettersDiscarded dead letters an operator discarded
 * @param deadLetterOverflow operations kept pending because the dead letters were full
 * @param writerFailingFor how long writer calls have written nothing while operations wait; zero
 *     while the writer works or nothing is pending
 */
public record WriteBehindStatistics(
    long pendingOperations,
    Duration oldestPendingAge,
    long coalesced,
    long written,
    long writerCalls,
    long batches,
    long retried,
    long failed,
    long deadLettered,
    long lost,
    long overflowEvents,
    long deadLetters,
    long deadLettersDiscarded,
    long deadLetterOverflow,
    Duration writerFailingFor) {}
