/** Entry events: CREATED, UPDATED, REMOVED and EXPIRED, to synchronous and asynchronous listeners. */
@NullMarked
package dev.jotter.event;

import org.jspecify.annotations.NullMarked;
