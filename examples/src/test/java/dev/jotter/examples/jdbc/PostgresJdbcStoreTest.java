package dev.jotter.examples.jdbc;

import java.io.IOException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC store contract on a real PostgreSQL server, started from the embedded binaries and
 * restarted on the same data directory and port to model a database outage.
 */
class PostgresJdbcStoreTest extends JdbcStoreContract {

  private EmbeddedPostgresDatabase database;

  @BeforeAll
  void startPostgres() throws IOException {
    database = EmbeddedPostgresDatabase.launch();
  }

  @AfterAll
  void stopPostgres() throws IOException {
    if (database != null) {
      database.close();
    }
  }

  @Override
  DataSource dataSource() {
    return database.dataSource();
  }

  @Override
  void stopDatabase() throws IOException {
    database.stop();
  }

  @Override
  void startDatabase() throws IOException {
    database.start();
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.POSTGRESQL;
  }
}
