package dev.jotter.expiry;

import dev.jotter.configuration.Ticker;
import dev.jotter.store.ValueHolder;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * Turns the answers of a JCache {@link ExpiryPolicy} into ticker deadlines.
 *
 * <p>Each method calls the policy exactly once, as the TCK demands — except for the specification's
 * own {@link EternalExpiryPolicy}, whose answers are known: the default policy costs neither a call
 * nor a clock read on the hot path. A policy that throws must not break the cache operation that asked
 * (the specification lets the implementation decide): a creation is then treated as expired at once,
 * the conservative choice that never keeps a value longer than intended (the failure is logged); an
 * update or access keeps the current deadline.
 */
public final class ExpiryCalculator {

  /** Returned by {@link #forUpdate} and {@link #forAccess} when the deadline stays as it is. */
  public static final long UNCHANGED = Long.MIN_VALUE;

  /** Returned by {@link #forCreation} when the new entry is expired at once and must not be stored. */
  public static final long EXPIRED = Long.MIN_VALUE + 1;

  private static final System.Logger LOG = System.getLogger(ExpiryCalculator.class.getName());

  private final ExpiryPolicy policy;
  private final Ticker ticker;
  private final boolean eternal;

  /**
   * @param policy the cache's configured policy
   * @param ticker the cache's time source
   */
  public ExpiryCalculator(ExpiryPolicy policy, Ticker ticker) {
    this.policy = policy;
    this.ticker = ticker;
    // the exact class: a subclass may answer differently
    this.eternal = policy.getClass() == EternalExpiryPolicy.class;
  }

  /** Returns the policy this calculator asks. */
  public ExpiryPolicy policy() {
    return policy;
  }

  /** Returns true if no entry of the cache ever expires. */
  public boolean isEternal() {
    return eternal;
  }

  /** Returns the deadline of a new entry, {@link ValueHolder#ETERNAL}, or {@link #EXPIRED}. */
  public long forCreation() {
    if (eternal) {
      return ValueHolder.ETERNAL;
    }
    Duration duration = ask(policy::getExpiryForCreation, "getExpiryForCreation");
    if (duration == null || duration.isZero()) {
      return EXPIRED;
    }
    return deadline(duration);
  }

  /** Returns the deadline of an entry updated now, or {@link #UNCHANGED}. */
  public long forUpdate() {
    if (eternal) {
      return UNCHANGED;
    }
    Duration duration = ask(policy::getExpiryForUpdate, "getExpiryForUpdate");
    return duration == null ? UNCHANGED : deadline(duration);
  }

  /** Returns the deadline of an entry read now, or {@link #UNCHANGED}. */
  public long forAccess() {
    if (eternal) {
      return UNCHANGED;
    }
    Duration duration = ask(policy::getExpiryForAccess, "getExpiryForAccess");
    return duration == null ? UNCHANGED : deadline(duration);
  }

  /** Applies an update or access answer to a holder. */
  public static <V> ValueHolder<V> apply(ValueHolder<V> holder, long deadline) {
    return deadline == UNCHANGED ? holder : holder.withExpiresAt(deadline);
  }

  /** The policy's answer, or null: "no change" (JCache allows it) or the policy threw. */
  private @Nullable Duration ask(Supplier<@Nullable Duration> question, String method) {
    try {
      return question.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, () -> "ExpiryPolicy." + method + " of " + policy.getClass().getName()
          + " threw; the entry's deadline is decided as if it answered null", e);
      return null;
    }
  }

  private long deadline(Duration duration) {
    if (duration.isEternal()) {
      return ValueHolder.ETERNAL;
    }
    long nanos = duration.getTimeUnit().toNanos(duration.getDurationAmount());
    long now = ticker.read();
    long deadline = now + nanos;
    // saturate instead of wrapping around: a very long duration means "practically eternal"
    if (deadline - now < 0 || deadline == ValueHolder.ETERNAL || deadline == UNCHANGED
        || deadline == EXPIRED) {
      return ValueHolder.ETERNAL - 1;
    }
    return deadline;
  }
}
