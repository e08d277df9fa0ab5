package dev.jotter.examples.jdbc;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The write-behind contract on a real PostgreSQL server, which the outage test stops and restarts
 * on the same data directory and port.
 */
class PostgresWriteBehindTest extends WriteBehindJdbcContract {

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
  TestDatabase database() {
    return database;
  }
}
