/** Entry events: CREATED, UPDATED, REMOVED and EXPIRED, to synchronous and asynchronous listeners. */
package dev.jotter.event;
