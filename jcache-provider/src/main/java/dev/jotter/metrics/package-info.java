/**
 * Meters of write-behind caches: pending operations, lag, batch sizes, writer latency and the
 * counters of the write-behind buffer, for Micrometer and for the JMX bean.
 *
 * <p>Micrometer is an optional dependency. {@link dev.jotter.metrics.WriteBehindMonitor} and
 * {@link dev.jotter.metrics.WriteBehindEvents} use no Micrometer type: every write-behind cache
 * has a monitor, whether Micrometer is on the class path or not. Only
 * {@link dev.jotter.metrics.WriteBehindMetrics} and {@link dev.jotter.metrics.JotterMetrics} need
 * it, and they are loaded only by applications that call them.
 *
 * <p>Null policy: parameters and return values are non-null unless their javadoc says otherwise.
 */
@NullMarked
package dev.jotter.metrics;

import org.jspecify.annotations.NullMarked;
