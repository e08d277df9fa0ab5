package dev.jotter.examples.jdbc;

import java.io.IOException;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC store contract on H2, reached over TCP so that stopping the server takes the
 * database away from the writer the way a crash of a database server would.
 */
class H2JdbcStoreTest extends JdbcStoreContract {

  private H2TcpDatabase database;

  @BeforeAll
  void startServer() throws SQLException, IOException {
    database = H2TcpDatabase.launch("jdbc-store-contract", "");
  }

  @AfterAll
  void stopServer() {
    database.close();
  }

  @Override
  DataSource dataSource() {
    return database.dataSource();
  }

  @Override
  void stopDatabase() {
    database.stop();
  }

  @Override
  void startDatabase() throws SQLException {
    database.start();
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.H2;
  }
}
