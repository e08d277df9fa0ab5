/** JMX: the standard JCache configuration and statistics MBeans, in the platform MBeanServer. */
package dev.jotter.management;
