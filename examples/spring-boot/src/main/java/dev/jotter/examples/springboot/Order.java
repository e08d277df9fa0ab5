package dev.jotter.examples.springboot;

import java.io.Serializable;

/** An order: the value of the write-behind {@code orders} cache (store-by-value copies it). */
public record Order(long id, String customer, long amountCents) implements Serializable {
  private static final long serialVersionUID = 1L;
}
