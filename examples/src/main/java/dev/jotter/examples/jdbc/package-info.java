/**
 * A {@link javax.cache.integration.CacheWriter} and {@link javax.cache.integration.CacheLoader}
 * that keep a JCache cache of {@link dev.jotter.examples.jdbc.Order orders} in a relational
 * table, written against the standard {@code javax.cache} and {@code javax.sql} APIs only.
 *
 * <p>Parameters and return values are non-null unless a method's javadoc says otherwise.
 */
package dev.jotter.examples.jdbc;
