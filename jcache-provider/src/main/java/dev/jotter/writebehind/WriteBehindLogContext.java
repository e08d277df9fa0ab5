package dev.jotter.writebehind;

import dev.jotter.configuration.Ticker;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.journal.JournalSerializer;
import java.net.URI;
import javax.cache.integration.CacheWriter;

/**
 * What a {@link WriteBehindLogFactory} gets to open the log of one cache.
 *
 * @param cacheName the cache's name
 * @param managerUri the URI of the cache's manager
 * @param classLoader the manager's class loader
 * @param settings the cache's write-behind settings; {@link WriteBehindConfiguration#logSettings()}
 *     holds the log's own
 * @param writer the cache's writer, which the log's operations must finally reach
 * @param serializer how the cache's keys and values become bytes and back (its journal serializer:
 *     built-in codecs, or Java serialization behind the cache's allow-list)
 * @param ticker the cache's time source
 * @param listener observes writer calls and confirmations, for the cache's meters
 * @param deadLetterHandler hears of dead letters, if the configuration names one
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public record WriteBehindLogContext<K, V>(String cacheName, URI managerUri,
    ClassLoader classLoader, WriteBehindConfiguration settings,
    CacheWriter<? super K, ? super V> writer, JournalSerializer<K, V> serializer, Ticker ticker,
    WriteBehindListener listener, DeadLetterHandler<K, V> deadLetterHandler) {}
