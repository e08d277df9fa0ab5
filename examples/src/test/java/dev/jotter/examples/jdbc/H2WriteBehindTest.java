package dev.jotter.examples.jdbc;

import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The write-behind contract on H2 over TCP, whose server the outage test stops and restarts. */
class H2WriteBehindTest extends WriteBehindJdbcContract {

  private H2TcpDatabase database;

  @BeforeAll
  void startServer() throws SQLException, IOException {
    // H2 gives up a row lock wait after 1 s by default; the blocked-writer tests hold one longer.
    database = H2TcpDatabase.launch("write-behind-contract", ";LOCK_TIMEOUT=30000");
  }

  @AfterAll
  void stopServer() {
    if (database != null) {
      database.close();
    }
  }

  @Override
  TestDatabase database() {
    return database;
  }
}
