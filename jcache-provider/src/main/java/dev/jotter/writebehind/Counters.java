package dev.jotter.writebehind;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one buffer; each is incremented where its event happens, lock or not. */
final class Counters {
  final LongAdder coalesced = new LongAdder();
  final LongAdder written = new LongAdder();
  final LongAdder writerCalls = new LongAdder();
  final LongAdder batches = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder overflowEvents = new LongAdder();
  final LongAdder deadLettersDiscarded = new LongAdder();
  final LongAdder deadLetterOverflow = new LongAdder();

  WriteBehindStatistics snapshot(long pending, Duration lag, long deadLetters,
      Duration writerFailingFor) {
    return new WriteBehindStatistics(pending, lag, coalesced.sum(), written.sum(),
        writerCalls.sum(), batches.sum(), retried.sum(), failed.sum(), deadLettered.sum(),
        lost.sum(), overflowEvents.sum(), deadLetters, deadLettersDiscarded.sum(),
        deadLetterOverflow.sum(), writerFailingFor);
  }
}
