/**
 * The durable log of pending write-behind operations (contract clause 10).
 *
 * <p>The engine appends, awaits durability and marks operations done through
 * {@link dev.jotter.journal.Journal}; {@link dev.jotter.journal.FileJournal} keeps them in
 * CRC32C-checked segment files of one directory per cache (layout in {@code RecordFormat}),
 * fsyncs them in groups ({@code SYNC}: before the mutation returns; {@code ASYNC}: at most every
 * {@code syncInterval}), cuts a torn tail at start-up, replays what is unfinished in order, and
 * holds its directory exclusively ({@code journal.lock}: one live cache of one process).
 * {@link dev.jotter.journal.Journal#none()} is the journal of a cache whose durability is NONE.
 * Keys and values are stored through a {@link dev.jotter.journal.JournalSerializer}: codecs for
 * common types, or Java serialization behind an allow-list.
 *
 * <p>Null policy: parameters and return values are non-null unless their javadoc says otherwise.
 */
@NullMarked
package dev.jotter.journal;

import org.jspecify.annotations.NullMarked;
