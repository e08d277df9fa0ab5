package dev.jotter.spring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.springframework.beans.factory.DisposableBean;

/** The beans of the tests: a stand-in database, and writers and loaders over it. */
final class TestBeans {

  private TestBeans() {}

  /**
   * A database: a table of rows, a journal of what happened to it (so that tests can check what came
   * first), and a refusal to write once closed, as a closed connection pool refuses.
   */
  static final class Database implements DisposableBean {
    final Map<Long, String> rows = new ConcurrentHashMap<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    /** Rows refused: a constraint such as the example's CHECK (amount >= 0). */
    volatile String poisonPrefix = "poison";
    private volatile boolean closed;

    void write(Long key, String value) {
      if (closed) {
        events.add("refused " + key);
        throw new CacheWriterException("the database is closed");
      }
      if (poisonPrefix != null && value.startsWith(poisonPrefix)) {
        throw new CacheWriterException("row " + key + " violates a constraint");
      }
      rows.put(key, value);
      events.add("wrote " + key);
    }

    void delete(Long key) {
      if (closed) {
        throw new CacheWriterException("the database is closed");
      }
      rows.remove(key);
      events.add("deleted " + key);
    }

    @Override
    public void destroy() {
      closed = true;
      events.add("closed");
    }
  }

  /** A batched writer into the database, following JCache's partial-failure rule. */
  static class OrderWriter implements CacheWriter<Long, String> {
    final Database database;

    OrderWriter(Database database) {
      this.database = database;
    }

    @Override
    public void write(Cache.Entry<? extends Long, ? extends String> entry) {
      database.write(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends Long, ? extends String>> entries) {
      for (Iterator<Cache.Entry<? extends Long, ? extends String>> i = entries.iterator();
          i.hasNext(); ) {
        Cache.Entry<? extends Long, ? extends String> entry = i.next();
        database.write(entry.getKey(), entry.getValue());
        i.remove(); // written: not retried if a later entry fails
      }
    }

    @Override
    public void delete(Object key) {
      database.delete((Long) key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      for (Iterator<?> i = keys.iterator(); i.hasNext(); ) {
        database.delete((Long) i.next());
        i.remove();
      }
    }
  }

  /** A loader from the database. */
  static class OrderLoader implements CacheLoader<Long, String> {
    final Database database;

    OrderLoader(Database database) {
      this.database = database;
    }

    @Override
    public String load(Long key) {
      return database.rows.get(key);
    }

    @Override
    public Map<Long, String> loadAll(Iterable<? extends Long> keys) {
      Map<Long, String> found = new HashMap<>();
      for (Long key : keys) {
        String value = load(key);
        if (value != null) {
          found.put(key, value);
        }
      }
      return found;
    }
  }

  /** A writer of other types: it does not fit the orders cache (Long -> String). */
  static class OtherWriter implements CacheWriter<String, Integer> {
    final List<String> written = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void write(Cache.Entry<? extends String, ? extends Integer> entry) {
      written.add(entry.getKey());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends Integer>> entries) {
      entries.forEach(this::write);
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }

  /** An ordinary writer factory (named in jotter-plain-writer.properties). */
  public static final class PlainWriterFactory implements Factory<CacheWriter<Long, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheWriter<Long, String> create() {
      return new OrderWriter(new Database());
    }
  }
}
