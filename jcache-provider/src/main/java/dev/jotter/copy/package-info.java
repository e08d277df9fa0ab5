/** Store-by-value copies: Java serialization behind an {@link java.io.ObjectInputFilter}, or none. */
package dev.jotter.copy;
