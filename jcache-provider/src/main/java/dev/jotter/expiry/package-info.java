/** JCache expiry policies turned into the deadlines that Caffeine enforces. */
package dev.jotter.expiry;
