package dev.jotter.examples.jdbc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * Wraps the JDBC writer and checks the order in which writes of one key reach the table: the
 * tests number their mutations and store the number as the order's {@code version}, so a write
 * that the writer confirms with a lower version than one it confirmed before for the same key is
 * a write that overtook a newer one (write-behind contract, clause 2). Re-delivering the same
 * version is allowed: delivery is at-least-once.
 *
 * <p>Only confirmed writes count: for {@code writeAll}, the entries the delegate took out of the
 * collection (JCache's partial-failure rule).
 */
final class VersionOrderWriter implements CacheWriter<Long, Order> {

  private static final ConcurrentMap<String, Log> LOGS = new ConcurrentHashMap<>();

  private final CacheWriter<Long, Order> delegate;
  private final Log log;

  private VersionOrderWriter(CacheWriter<Long, Order> delegate, Log log) {
    this.delegate = delegate;
    this.log = log;
  }

  /** A factory of checking writers around {@code delegate}, reporting to {@link #violations}. */
  static Factory<CacheWriter<Long, Order>> factory(String name,
      Factory<? extends CacheWriter<Long, Order>> delegate) {
    return new CheckingFactory(name, delegate);
  }

  /** The out-of-order writes seen so far by the writers of {@code name}; empty is good. */
  static List<String> violations(String name) {
    return log(name).violations();
  }

  private static Log log(String name) {
    return LOGS.computeIfAbsent(name, ignored -> new Log());
  }

  @Override
  public void write(Cache.Entry<? extends Long, ? extends Order> entry) {
    delegate.write(entry);
    log.confirmed(entry.getKey(), entry.getValue().version());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends Long, ? extends Order>> entries) {
    List<Cache.Entry<? extends Long, ? extends Order>> offered = new ArrayList<>(entries);
    try {
      delegate.writeAll(entries);
    } finally {
      Set<Object> left = Collections.newSetFromMap(new IdentityHashMap<>());
      left.addAll(entries);
      for (Cache.Entry<? extends Long, ? extends Order> entry : offered) {
        if (!left.contains(entry)) {
          log.confirmed(entry.getKey(), entry.getValue().version());
        }
      }
    }
  }

  @Override
  public void delete(Object key) {
    delegate.delete(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    delegate.deleteAll(keys);
  }

  /** The highest confirmed version per key, and the writes that came in below it. */
  private static final class Log {
    private final Map<Long, Long> highest = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    synchronized void confirmed(Long key, long version) {
      Long before = highest.get(key);
      if (before != null && version < before) {
        violations.add("key " + key + ": version " + version + " written after " + before);
      } else {
        highest.put(key, version);
      }
    }

    synchronized List<String> violations() {
      return List.copyOf(violations);
    }
  }

  private static final class CheckingFactory implements Factory<CacheWriter<Long, Order>> {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final Factory<? extends CacheWriter<Long, Order>> delegate;

    CheckingFactory(String name, Factory<? extends CacheWriter<Long, Order>> delegate) {
      this.name = Objects.requireNonNull(name, "name");
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public CacheWriter<Long, Order> create() {
      return new VersionOrderWriter(delegate.create(), log(name));
    }
  }
}
