/** Store-by-value copies: Java serialization behind an {@link java.io.ObjectInputFilter}, or none. */
@NullMarked
package dev.jotter.copy;

import org.jspecify.annotations.NullMarked;
