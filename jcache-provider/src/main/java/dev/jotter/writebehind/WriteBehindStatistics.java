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
 * @param deadLettered operations handed to the dead-letter handler
 * @param lost operations still unconfirmed when close gave up draining
 * @param overflowEvents reservations that found the buffer full
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
    long overflowEvents) {}
