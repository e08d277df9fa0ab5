package dev.jotter.examples.springboot;

/** The body of {@code PUT /orders/{id}}: the id is in the path. */
public record OrderRequest(String customer, long amountCents) {}
