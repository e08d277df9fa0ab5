package dev.jotter.writer;

import java.util.Collection;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A {@link CacheWriter} that refuses to let a key go back in time: every operation carries a
 * fencing token that grows with the key's mutations, and the writer applies an operation only if
 * the token stored with the key is older.
 *
 * <p>Why: a write-behind log drained by several nodes (the Kafka log) moves a partition to
 * another node when its owner is paused or cut off. The old owner's batch in flight can then
 * reach the database after the new owner wrote a newer value of the same key; with a plain
 * writer that stale write wins. With this extension the drain calls {@link #applyAll} instead of
 * {@code writeAll}/{@code deleteAll}, and the stale write is refused by the database itself.
 *
 * <p>What an implementation must do, in one transaction per operation or per batch:
 * <ul>
 *   <li>apply an operation only if the key has no stored token or a smaller one, and store its
 *       token with it ("upsert where the stored token is older");
 *   <li>keep the token of a deleted key (a tombstone row or a token table): otherwise an older
 *       write that arrives after the delete brings the key back;
 *   <li>treat an operation whose token is not newer as done, not as a failure: it is either a
 *       stale operation or one delivered again (the drain is at-least-once);
 *   <li>like {@code writeAll}, remove from the collection every operation it applied or refused
 *       as stale, and throw a {@link CacheWriterException} if some failed; what is left in the
 *       collection is retried and finally dead-lettered.
 * </ul>
 * The cache's own buffer (the local journal) has one writer thread per key and keeps calling
 * {@code writeAll}/{@code deleteAll}; only logs shared by several nodes call {@link #applyAll}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface FencedCacheWriter<K, V> extends CacheWriter<K, V> {

  /**
   * Applies writes and deletes, each only if its token is newer than the key's stored token.
   * A key appears at most once.
   *
   * @param operations the operations; the implementation removes each one it applied or
   *     refused as stale
   * @throws CacheWriterException if some operations failed (those left in the collection)
   */
  void applyAll(Collection<Fenced<K, V>> operations);
}
