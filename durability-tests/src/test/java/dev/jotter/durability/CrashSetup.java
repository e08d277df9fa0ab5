package dev.jotter.durability;

import dev.jotter.configuration.Durability;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.examples.jdbc.JdbcCacheWriter;
import dev.jotter.examples.jdbc.JdbcSettings;
import dev.jotter.examples.jdbc.Order;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/** What the crash test's parent and child agree on: the cache, the database, the output lines. */
final class CrashSetup {
  static final String CACHE = "orders";
  /** Printed by a child once its cache is open: {@code READY <nanoTime>}. */
  static final String READY = "READY";
  /** Printed before a mutation call: {@code I <key> <P|R> <version>}. */
  static final String ISSUING = "I";
  /** Printed after the call returned: {@code A <key> <P|R> <version> <nanoTime>}. */
  static final String ACKNOWLEDGED = "A";
  /** Printed by a recovering child before it exits: {@code RECOVERED flushed=.. written=.. pending=..}. */
  static final String RECOVERED = "RECOVERED";

  private CrashSetup() {}

  /**
   * The child's database: an H2 file. {@code WRITE_DELAY=0} makes H2 write every commit into its
   * file at once (by default MVStore writes committed data up to a second later, and a SIGKILL
   * would lose commits that the journal already saw confirmed: H2's loss, not Jotter's).
   */
  static String childUrl(Path database) {
    return "jdbc:h2:file:" + database.toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1";
  }

  /** The parent's view of the same file, opened only while no child is alive. */
  static String parentUrl(Path database) {
    return "jdbc:h2:file:" + database.toAbsolutePath();
  }

  static JotterConfiguration<Long, Order> configuration(Path journalRoot, Durability durability,
      Duration syncInterval, String url) {
    JotterConfiguration<Long, Order> config = new JotterConfiguration<Long, Order>()
        .setWriteBehind(WriteBehindConfiguration.builder()
            .durability(durability)
            .journalDirectory(journalRoot)
            .syncInterval(syncInterval)
            .batchSize(100)
            .maxWriteDelay(Duration.ofMillis(5))
            .drainTimeout(Duration.ofSeconds(60))
            .build())
        .setJournalAllowList("dev.jotter.examples.jdbc.Order;java.base/*;!*");
    config.setTypes(Long.class, Order.class)
        .setStoreByValue(false)
        .setWriteThrough(true)
        .setCacheWriterFactory(new CountingWriterFactory(new JdbcSettings(url, "sa", "")));
    return config;
  }

  /** The example's JDBC writer, counting what it confirms (the recovering child reports it). */
  static final class CountingWriterFactory implements Factory<CacheWriter<Long, Order>> {
    private static final long serialVersionUID = 1L;
    static final AtomicLong CONFIRMED = new AtomicLong();
    private final JdbcSettings settings;

    CountingWriterFactory(JdbcSettings settings) {
      this.settings = settings;
    }

    @Override
    public CacheWriter<Long, Order> create() {
      JdbcCacheWriter jdbc = new JdbcCacheWriter(settings.toDataSource(), settings.dialect());
      return new CacheWriter<>() {
        @Override
        public void write(Cache.Entry<? extends Long, ? extends Order> entry) {
          jdbc.write(entry);
          CONFIRMED.incrementAndGet();
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends Long, ? extends Order>> entries) {
          int before = entries.size();
          try {
            jdbc.writeAll(entries);
          } finally {
            CONFIRMED.addAndGet(before - entries.size());
          }
        }

        @Override
        public void delete(Object key) {
          jdbc.delete(key);
          CONFIRMED.incrementAndGet();
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          int before = keys.size();
          try {
            jdbc.deleteAll(keys);
          } finally {
            CONFIRMED.addAndGet(before - keys.size());
          }
        }
      };
    }
  }
}
