/**
 * Where entries live: a Caffeine map of {@link dev.jotter.store.ValueHolder}s, and the per-key atomic
 * section ({@link dev.jotter.store.EntryStore#compute}) every mutation runs in.
 */
package dev.jotter.store;
