/**
 * The write-behind buffer: operations, the coalescing queue, batches, the flusher, retry and the
 * dead letters. {@link dev.jotter.writebehind.WriteBehindBuffer} is the entry point; its class
 * javadoc lists the guarantees and its implementation notes explain how they are kept.
 *
 * <p>Null policy: parameters and return values are non-null unless their javadoc says otherwise.
 */
@NullMarked
package dev.jotter.writebehind;

import org.jspecify.annotations.NullMarked;
