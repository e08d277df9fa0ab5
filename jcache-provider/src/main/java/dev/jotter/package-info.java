/**
 * Jotter: a JCache (JSR-107 1.1.1) provider on Caffeine with write-through and write-behind.
 * {@link dev.jotter.JotterCacheManager} and {@link dev.jotter.JotterCache} are the facades;
 * a write travels from {@code JotterCache} through {@code store} (the per-key atomic section) and
 * {@code writer} (the route to the {@code CacheWriter}).
 */
@NullMarked
package dev.jotter;

import org.jspecify.annotations.NullMarked;
