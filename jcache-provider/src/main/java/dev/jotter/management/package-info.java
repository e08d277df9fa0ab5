/**
 * JMX: the standard JCache configuration and statistics MBeans, and Jotter's write-behind MBean
 * ({@link dev.jotter.management.WriteBehindMXBean}), in the platform MBeanServer.
 */
@NullMarked
package dev.jotter.management;

import org.jspecify.annotations.NullMarked;
