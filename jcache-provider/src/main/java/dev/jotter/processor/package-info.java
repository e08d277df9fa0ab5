/** {@code invoke}/{@code invokeAll}: the entry a processor sees and the action it leaves behind. */
@NullMarked
package dev.jotter.processor;

import org.jspecify.annotations.NullMarked;
