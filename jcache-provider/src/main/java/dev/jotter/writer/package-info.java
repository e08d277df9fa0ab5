/**
 * The way from a cache mutation to the {@code CacheWriter}: {@link dev.jotter.writer.WriterRoute}
 * decides between no writer, write-through and write-behind.
 */
package dev.jotter.writer;
