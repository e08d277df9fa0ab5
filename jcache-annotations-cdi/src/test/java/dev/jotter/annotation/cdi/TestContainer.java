package dev.jotter.annotation.cdi;

import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheManager;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * A Weld SE container over the given bean classes only (no class-path scan): the extension comes in
 * through its {@code META-INF/services} entry, as in an application.
 */
final class TestContainer implements AutoCloseable {

  private final WeldContainer weld;

  private TestContainer(WeldContainer weld) {
    this.weld = weld;
  }

  static TestContainer of(Class<?>... beanClasses) {
    return new TestContainer(new Weld("annotations-test-" + System.nanoTime())
        .disableDiscovery()
        .addBeanClasses(beanClasses)
        .initialize());
  }

  <T> T bean(Class<T> type) {
    return weld.select(type).get();
  }

  CacheManager cacheManager() {
    return bean(CacheManager.class);
  }

  /** Destroys every cache of the container's CacheManager: each test starts with none. */
  void destroyCaches() {
    CacheManager manager = cacheManager();
    for (String name : toList(manager.getCacheNames())) {
      manager.destroyCache(name);
    }
  }

  private static List<String> toList(Iterable<String> names) {
    List<String> list = new ArrayList<>();
    names.forEach(list::add);
    return list;
  }

  @Override
  public void close() {
    weld.shutdown();
  }
}
