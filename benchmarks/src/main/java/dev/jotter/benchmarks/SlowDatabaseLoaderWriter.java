package dev.jotter.benchmarks;

import java.util.HashMap;
import java.util.Map;
import org.ehcache.spi.loaderwriter.CacheLoaderWriter;

/**
 * Ehcache's own {@link CacheLoaderWriter} over {@link SlowDatabase}, for Ehcache's native write-behind
 * (which its JCache layer only offers through an Ehcache configuration). Loading is never used by the
 * workload (no read-through) and answers from the simulated database at no cost.
 */
public final class SlowDatabaseLoaderWriter implements CacheLoaderWriter<Integer, Integer> {

  @Override
  public Integer load(Integer key) {
    return (Integer) SlowDatabase.INSTANCE.read(key);
  }

  @Override
  public void write(Integer key, Integer value) {
    SlowDatabase.INSTANCE.write(key, value);
  }

  @Override
  public void writeAll(Iterable<? extends Map.Entry<? extends Integer, ? extends Integer>> entries) {
    Map<Integer, Integer> batch = new HashMap<>();
    for (Map.Entry<? extends Integer, ? extends Integer> entry : entries) {
      batch.put(entry.getKey(), entry.getValue());
    }
    SlowDatabase.INSTANCE.writeAll(batch);
  }

  @Override
  public void delete(Integer key) {
    SlowDatabase.INSTANCE.delete(key);
  }

  @Override
  public void deleteAll(Iterable<? extends Integer> keys) {
    java.util.List<Integer> batch = new java.util.ArrayList<>();
    keys.forEach(batch::add);
    SlowDatabase.INSTANCE.deleteAll(batch);
  }
}
