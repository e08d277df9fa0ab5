package dev.jotter.examples.jdbc;

import java.util.Objects;
import javax.cache.configuration.Factory;

/**
 * Builds a {@link JdbcCacheWriter} the JCache way, for
 * {@link javax.cache.configuration.MutableConfiguration#setCacheWriterFactory}.
 *
 * <p>Serializable, as JCache requires of configuration factories: it carries
 * {@link JdbcSettings}, not a live data source.
 */
public final class JdbcCacheWriterFactory implements Factory<JdbcCacheWriter> {

  private static final long serialVersionUID = 1L;

  private final JdbcSettings settings;

  /**
   * Creates a factory.
   *
   * @param settings where the {@code orders} table is
   */
  public JdbcCacheWriterFactory(JdbcSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * Creates a writer; it connects lazily, so this succeeds while the database is down.
   *
   * @return a new writer
   */
  @Override
  public JdbcCacheWriter create() {
    return new JdbcCacheWriter(settings.toDataSource(), settings.dialect());
  }
}
