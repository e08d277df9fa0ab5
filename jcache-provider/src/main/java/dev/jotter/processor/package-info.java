/** {@code invoke}/{@code invokeAll}: the entry a processor sees and the action it leaves behind. */
package dev.jotter.processor;
