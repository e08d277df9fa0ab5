package dev.jotter.examples.jdbc;

import javax.sql.DataSource;

/**
 * A database server that a test can take away and bring back with its data, as a crash or a
 * network cut and a restart would. One implementation per supported database; the contract tests
 * ({@link JdbcStoreContract}, {@link WriteBehindJdbcContract}) run on each.
 */
interface TestDatabase extends AutoCloseable {

  /** Where the {@code orders} table is, as serializable settings for the JCache factories. */
  JdbcSettings settings();

  /** A data source of the running database; it keeps working across {@link #stop}/{@link #start}. */
  DataSource dataSource();

  /** The dialect the writer must detect. */
  SqlDialect dialect();

  /** Makes the database unreachable; connections open at the time break. */
  void stop() throws Exception;

  /** Brings the same database back, with its data, where {@link #settings()} points. */
  void start() throws Exception;

  /** Stops the database for good and frees what it used. */
  @Override
  void close() throws Exception;
}
