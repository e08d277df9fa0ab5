package dev.jotter.benchmarks;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * The JCache {@link CacheWriter} of the write workload: every call goes to {@link SlowDatabase}. The
 * batch methods write the whole collection in one call and empty it (JCache's success convention).
 */
public final class SlowDatabaseWriter implements CacheWriter<Integer, Integer>, Serializable {

  private static final long serialVersionUID = 1L;

  @Override
  public void write(Cache.Entry<? extends Integer, ? extends Integer> entry) {
    SlowDatabase.INSTANCE.write(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends Integer>> entries) {
    Map<Integer, Integer> batch = new HashMap<>();
    for (Cache.Entry<? extends Integer, ? extends Integer> entry : entries) {
      batch.put(entry.getKey(), entry.getValue());
    }
    SlowDatabase.INSTANCE.writeAll(batch);
    entries.clear();
  }

  @Override
  public void delete(Object key) {
    SlowDatabase.INSTANCE.delete(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    SlowDatabase.INSTANCE.deleteAll(keys);
    for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
      it.next();
      it.remove();
    }
  }
}
