package dev.jotter.kafka;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/** A writer whose database is down: every call fails without writing anything. */
public final class FailingWriter implements CacheWriter<String, String> {
  static final AtomicInteger CALLS = new AtomicInteger();

  @Override
  public void write(Cache.Entry<? extends String, ? extends String> entry) {
    throw fail();
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    throw fail();
  }

  @Override
  public void delete(Object key) {
    throw fail();
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    throw fail();
  }

  private static CacheWriterException fail() {
    CALLS.incrementAndGet();
    return new CacheWriterException("database down");
  }
}
