/**
 * The durable log of pending write-behind operations (contract clause 10). Only the seam lives
 * here for now: the engine appends, awaits durability and marks operations done through
 * {@link dev.jotter.journal.Journal}; {@link dev.jotter.journal.Journal#none()} is the journal of
 * a cache whose durability is NONE.
 *
 * <p>Null policy: parameters and return values are non-null unless their javadoc says otherwise.
 */
package dev.jotter.journal;
