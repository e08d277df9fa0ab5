/**
 * The way from a cache mutation to the {@code CacheWriter}: {@link dev.jotter.writer.WriterRoute}
 * decides between no writer, write-through and write-behind.
 */
@NullMarked
package dev.jotter.writer;

import org.jspecify.annotations.NullMarked;
