package dev.jotter.management;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.RuntimeOperationsException;

/**
 * Registers a cache's MBeans in the platform MBeanServer under the names the JCache TCK and
 * Micrometer's {@code JCacheMetrics} look up:
 * {@code javax.cache:type=<type>,CacheManager=<manager URI>,Cache=<cache name>}, where {@code ,},
 * {@code :}, {@code =} and line breaks in the URI and name are replaced by {@code .} (and so are
 * {@code *}, {@code ?} and {@code "}, which would make the name a pattern).
 *
 * <p>Two caches can map to one name (same name and URI, different class loaders). The first one to
 * register owns the name; the other's registration is skipped, and its unregistration never removes
 * the owner's bean.
 */
public final class MBeans {

  /** The type of the configuration MBean. */
  public static final String CONFIGURATION = "CacheConfiguration";
  /** The type of the statistics MBean. */
  public static final String STATISTICS = "CacheStatistics";
  /** The type of Jotter's write-behind MBean ({@link WriteBehindMXBean}), not a JCache type. */
  public static final String WRITE_BEHIND = "CacheWriteBehind";

  private static final Map<ObjectName, Object> OWNERS = new HashMap<>();

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
    // '*', '?' and '"' would make the name a pattern or a quoted value, which registerMBean refuses
    return value == null ? "" : value.replaceAll("[,:=*?\"\n\r]", ".");
  }

  /** Registers an MBean unless another bean holds the name already (see the class notes). */
  public static void register(Object mbean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    synchronized (OWNERS) {
      if (OWNERS.get(name) == mbean) {
        return;
      }
      try {
        server.registerMBean(mbean, name);
        OWNERS.put(name, mbean);
      } catch (InstanceAlreadyExistsException e) {
        // another cache of the same name and URI owns it; this cache stays unexported
      } catch (JMException | RuntimeOperationsException e) {
        throw new CacheException("Could not register MBean " + name, e);
      }
    }
  }

  /** Unregisters an MBean if {@code mbean} is the one registered under the name. */
  public static void unregister(Object mbean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    synchronized (OWNERS) {
      if (!OWNERS.remove(name, mbean)) {
        return;
      }
      try {
        server.unregisterMBean(name);
      } catch (InstanceNotFoundException e) {
        // unregistered by someone else meanwhile: the outcome wanted
      } catch (JMException | RuntimeOperationsException e) {
        throw new CacheException("Could not unregister MBean " + name, e);
      }
    }
  }
}
