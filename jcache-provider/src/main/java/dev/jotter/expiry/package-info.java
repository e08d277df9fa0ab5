/** JCache expiry policies turned into the deadlines that Caffeine enforces. */
@NullMarked
package dev.jotter.expiry;

import org.jspecify.annotations.NullMarked;
