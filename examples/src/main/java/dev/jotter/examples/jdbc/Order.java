package dev.jotter.examples.jdbc;

import java.io.Serializable;
import java.util.Objects;

/**
 * An order as the cache holds it: the value stored under its id (the cache key).
 *
 * <p>The id is deliberately not a field: the key is the single source of truth for it, so a
 * value can never disagree with the key it is stored under.
 *
 * <p>A negative {@code amountCents} is representable on purpose: the database, not this type,
 * enforces {@code amount_cents >= 0}, which is what lets tests and demos produce a "poison"
 * entry that the cache accepts and the writer cannot store.
 *
 * @param customer    the customer's name, at most {@value OrderTable#CUSTOMER_MAX_LENGTH}
 *                    characters in the table
 * @param amountCents the order total in cents
 * @param version     incremented by every change, so a stale row is easy to spot
 */
public record Order(String customer, long amountCents, long version) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Rejects a missing customer early, where the mistake is made, not at write time. */
  public Order {
    Objects.requireNonNull(customer, "customer");
  }

  /**
   * Returns the next version of this order with a new amount.
   *
   * @param newAmountCents the new total in cents
   * @return a copy with {@code amountCents} replaced and {@code version} incremented
   */
  public Order withAmount(long newAmountCents) {
    return new Order(customer, newAmountCents, version + 1);
  }
}
