package dev.jotter.examples.jdbc;

import java.io.PrintWriter;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where the {@code orders} table lives: what the serializable JCache factories carry instead
 * of a (non-serializable) {@link DataSource}.
 *
 * <p>The password travels with the factory, and so with the cache configuration: fine for an
 * example, but a production factory would look the credentials or the pool up by name.
 *
 * @param url      the JDBC URL
 * @param user     the user name, or {@code null} when the URL or the driver supplies it
 * @param password the password, or {@code null}
 * @param dialect  the SQL dialect, or {@code null} to detect it from the database on first use
 */
public record JdbcSettings(String url, String user, String password, SqlDialect dialect)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Requires a URL; user, password and dialect are optional. */
  public JdbcSettings {
    Objects.requireNonNull(url, "url");
  }

  /**
   * Settings whose dialect is detected from the database.
   *
   * @param url      the JDBC URL
   * @param user     the user name, or {@code null}
   * @param password the password, or {@code null}
   */
  public JdbcSettings(String url, String user, String password) {
    this(url, user, password, null);
  }

  /**
   * Returns a data source that opens a new physical connection per call.
   *
   * <p>No pool, so that the example has no dependency beyond the driver; the writer holds a
   * connection only for the duration of one call, so a pool (HikariCP, or the driver's own)
   * drops in here without any other change.
   *
   * @return a data source for these settings
   */
  public DataSource toDataSource() {
    return new DriverDataSource(this);
  }

  @Override
  public String toString() {
    // Keeps the password out of logs and exception messages.
    return "JdbcSettings[url=" + url + ", user=" + user + ", dialect=" + dialect + "]";
  }

  /**
   * Connects through the {@link Driver} found by {@link ServiceLoader} rather than through
   * {@link java.sql.DriverManager}, whose caller-class-loader check hides drivers loaded by a
   * child class loader (as under {@code mvn exec:java} or in an application server).
   */
  private static final class DriverDataSource implements DataSource {
    private final JdbcSettings settings;
    private volatile Driver driver;

    DriverDataSource(JdbcSettings settings) {
      this.settings = settings;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return getConnection(settings.user(), settings.password());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      Properties properties = new Properties();
      if (username != null) {
        properties.setProperty("user", username);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      Connection connection = driver().connect(settings.url(), properties);
      if (connection == null) {
        throw new SQLException("Driver refused URL " + settings.url(), "08001");
      }
      return connection;
    }

    private Driver driver() throws SQLException {
      Driver found = driver;
      if (found != null) {
        return found;
      }
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      for (Driver candidate : ServiceLoader.load(Driver.class,
          loader == null ? JdbcSettings.class.getClassLoader() : loader)) {
        if (candidate.acceptsURL(settings.url())) {
          driver = candidate;
          return candidate;
        }
      }
      throw new SQLException("No JDBC driver on the class path accepts " + settings.url(),
          "08001");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      // Logging goes through the driver's own configuration.
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      throw new SQLFeatureNotSupportedException("setLoginTimeout");
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException("getParentLogger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      if (type.isInstance(this)) {
        return type.cast(this);
      }
      throw new SQLException("Not a wrapper for " + type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return type.isInstance(this);
    }
  }
}
