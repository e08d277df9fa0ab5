package dev.jotter.management;

import java.lang.management.ManagementFactory;
import java.net.URI;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers a cache's MBeans in the platform MBeanServer under the names the JCache TCK and
 * Micrometer's {@code JCacheMetrics} look up:
 * {@code javax.cache:type=<type>,CacheManager=<manager URI>,Cache=<cache name>}, where {@code ,},
 * {@code :}, {@code =} and line breaks in the URI and name are replaced by {@code .}.
 */
public final class MBeans {

  /** The type of the configuration MBean. */
  public static final String CONFIGURATION = "CacheConfiguration";
  /** The type of the statistics MBean. */
  public static final String STATISTICS = "CacheStatistics";

  private MBeans() {}

  /** Returns the object name of a cache's MBean of the given type. */
  public static ObjectName name(String type, URI managerUri, String cacheName) {
    String text = "javax.cache:type=" + type + ",CacheManager=" + sanitize(managerUri.toString())
        + ",Cache=" + sanitize(cacheName);
    try {
      return new ObjectName(text);
    } catch (MalformedObjectNameException e) {
      throw new CacheException("Illegal MBean name: " + text, e);
    }
  }

  /** Replaces the characters an unquoted object-name value cannot hold. */
  static String sanitize(String value) {
    return value == null ? "" : value.replaceAll("[,:=\n\r]", ".");
  }

  /** Registers an MBean, replacing nothing: a name taken by another live cache is an error. */
  public static void register(Object mbean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (!server.isRegistered(name)) {
        server.registerMBean(mbean, name);
      }
    } catch (InstanceAlreadyExistsException e) {
      // a concurrent enable of the same cache won the race; the bean it registered serves
    } catch (JMException e) {
      throw new CacheException("Could not register MBean " + name, e);
    }
  }

  /** Unregisters an MBean if it is registered. */
  public static void unregister(ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // unregistered concurrently: the outcome wanted
    } catch (JMException e) {
      throw new CacheException("Could not unregister MBean " + name, e);
    }
  }
}
