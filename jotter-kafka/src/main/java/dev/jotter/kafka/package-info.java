/**
 * The Kafka write-behind log ({@code write-behind.log = kafka}): a cache's pending writes go to a
 * replicated, key-partitioned topic and are drained to its {@code CacheWriter} by a consumer group
 * that every node of the application joins. See {@link dev.jotter.kafka.KafkaSettings} for the
 * settings and {@link dev.jotter.kafka.KafkaLogFactory} for the guarantees.
 *
 * <p>Nothing in this package accepts or returns {@code null} unless its documentation says so.
 */
package dev.jotter.kafka;
