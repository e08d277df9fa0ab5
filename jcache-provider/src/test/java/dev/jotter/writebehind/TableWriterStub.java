package dev.jotter.writebehind;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/** A writer into a static map. */
public class TableWriterStub implements CacheWriter<String, String> {
  static final Map<String, String> TABLE = new ConcurrentHashMap<>();

  @Override
  public void write(Cache.Entry<? extends String, ? extends String> entry) {
    TABLE.put(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    entries.forEach(this::write);
    entries.clear();
  }

  @Override
  public void delete(Object key) {
    TABLE.remove(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    keys.forEach(TABLE::remove);
    keys.clear();
  }
}
