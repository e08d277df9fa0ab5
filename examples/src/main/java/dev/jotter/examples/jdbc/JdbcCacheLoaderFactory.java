package dev.jotter.examples.jdbc;

import java.util.Objects;
import javax.cache.configuration.Factory;

/**
 * Builds a {@link JdbcCacheLoader} the JCache way, for
 * {@link javax.cache.configuration.MutableConfiguration#setCacheLoaderFactory}.
 *
 * <p>Serializable, as JCache requires of configuration factories: it carries
 * {@link JdbcSettings}, not a live data source.
 */
public final class JdbcCacheLoaderFactory implements Factory<JdbcCacheLoader> {

  private static final long serialVersionUID = 1L;

  private final JdbcSettings settings;

  /**
   * Creates a factory.
   *
   * @param settings where the {@code orders} table is
   */
  public JdbcCacheLoaderFactory(JdbcSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * Creates a loader; it connects lazily, so this succeeds while the database is down.
   *
   * @return a new loader
   */
  @Override
  public JdbcCacheLoader create() {
    return new JdbcCacheLoader(settings.toDataSource());
  }
}
