/**
 * An order-entry demo: a multi-threaded workload on a read-through JCache cache backed by the
 * {@code orders} table, run once with write-behind and once with write-through, with a live line
 * per second and a check that cache and table agree afterwards; then a node killed with SIGKILL
 * and restarted on its journal with nothing lost, and a poison record dead-lettered and
 * resubmitted.
 *
 * <p>The workload and the check take any {@link javax.cache.Cache}; only the write-behind
 * configuration, the flush and the live statistics use Jotter's own API.
 *
 * <p>Parameters and return values are non-null unless a method's javadoc says otherwise.
 */
package dev.jotter.examples.demo;
