package dev.jotter.expiry;

import dev.jotter.store.ValueHolder;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;

/**
 * Turns the answers of a JCache {@link ExpiryPolicy} into ticker deadlines.
 *
 * <p>Each method calls the policy exactly once, as the TCK demands. A policy that throws, or answers
 * null where null is not allowed, must not break the cache operation that asked (the specification
 * lets the implementation decide): a creation is then treated as expired at once, the conservative
 * choice that never keeps a value longer than intended (the failure is logged); an update or access
 * keeps the current deadline.
 */
public final class ExpiryCalculator {

  /** Returned by {@link #forUpdate} and {@link #forAccess} when the deadline stays as it is. */
  public static final long UNCHANGED = Long.MIN_VALUE;

  private static final System.Logger LOG = System.getLogger(ExpiryCalculator.class.getName());

  private final ExpiryPolicy policy;

  /** @param policy the cache's configured policy */
  public ExpiryCalculator(ExpiryPolicy policy) {
    this.policy = policy;
  }

  /** Returns the policy this calculator asks. */
  public ExpiryPolicy policy() {
    return policy;
  }

  /** Returns the deadline of a new entry created at {@code now}; {@code <= now} means "do not store". */
  public long forCreation(long now) {
    Duration duration = ask(policy::getExpiryForCreation, "getExpiryForCreation");
    return duration == null ? now : deadline(now, duration);
  }

  /** Returns the deadline of an entry updated at {@code now}, or {@link #UNCHANGED}. */
  public long forUpdate(long now) {
    Duration duration = ask(policy::getExpiryForUpdate, "getExpiryForUpdate");
    return duration == null ? UNCHANGED : deadline(now, duration);
  }

  /** Returns the deadline of an entry read at {@code now}, or {@link #UNCHANGED}. */
  public long forAccess(long now) {
    Duration duration = ask(policy::getExpiryForAccess, "getExpiryForAccess");
    return duration == null ? UNCHANGED : deadline(now, duration);
  }

  /** Applies an update or access answer to a holder. */
  public static <V> ValueHolder<V> apply(ValueHolder<V> holder, long deadline) {
    return deadline == UNCHANGED ? holder : holder.withExpiresAt(deadline);
  }

  private Duration ask(Supplier<Duration> question, String method) {
    try {
      return question.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, () -> "ExpiryPolicy." + method + " of " + policy.getClass().getName()
          + " threw; the entry's deadline is decided as if it answered null", e);
      return null;
    }
  }

  private static long deadline(long now, Duration duration) {
    if (duration.isEternal()) {
      return ValueHolder.ETERNAL;
    }
    long nanos = duration.getTimeUnit().toNanos(duration.getDurationAmount());
    long deadline = now + nanos;
    // saturate instead of wrapping around: a very long duration means "practically eternal"
    return (nanos > 0 && deadline - now < 0) || deadline == ValueHolder.ETERNAL
        ? ValueHolder.ETERNAL - 1 : deadline;
  }
}
