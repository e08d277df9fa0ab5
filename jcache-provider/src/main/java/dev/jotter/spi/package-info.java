/** The JCache {@code CachingProvider} of Jotter, and nothing else. */
package dev.jotter.spi;
