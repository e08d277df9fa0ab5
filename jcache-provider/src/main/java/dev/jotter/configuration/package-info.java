/**
 * Jotter's configuration: {@link dev.jotter.configuration.JotterConfiguration}, a
 * {@link javax.cache.configuration.MutableConfiguration} with capacity, time and write-behind settings.
 *
 * <p>Parameters and return values are non-null unless documented otherwise.
 */
@NullMarked
package dev.jotter.configuration;

import org.jspecify.annotations.NullMarked;
