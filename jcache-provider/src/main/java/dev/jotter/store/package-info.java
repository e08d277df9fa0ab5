/**
 * Where entries live: a Caffeine map of {@link dev.jotter.store.ValueHolder}s, and the per-key atomic
 * section ({@link dev.jotter.store.EntryStore#compute}) every mutation runs in.
 */
@NullMarked
package dev.jotter.store;

import org.jspecify.annotations.NullMarked;
