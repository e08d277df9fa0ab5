/**
 * An order-entry demo: a multi-threaded workload on a read-through, write-through JCache cache
 * backed by the {@code orders} table, and a check that cache and table agree afterwards.
 *
 * <p>The workload and the check take any {@link javax.cache.Cache}, so the same run can be
 * repeated against a write-behind cache once it has been flushed.
 *
 * <p>Parameters and return values are non-null unless a method's javadoc says otherwise.
 */
package dev.jotter.examples.demo;
