/** The JCache {@code CachingProvider} of Jotter, and nothing else. */
@NullMarked
package dev.jotter.spi;

import org.jspecify.annotations.NullMarked;
