package dev.jotter.examples.jdbc;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC store contract on H2, reached over TCP so that stopping the server takes the
 * database away from the writer the way a crash of a database server would.
 */
class H2JdbcStoreTest extends JdbcStoreContract {

  private Server server;
  private int port;
  private DataSource dataSource;

  @BeforeAll
  void startServer() throws SQLException, IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    startDatabase();
    // DB_CLOSE_DELAY=-1 keeps the in-memory database while the server is stopped.
    dataSource = new JdbcSettings("jdbc:h2:tcp://localhost:" + port
        + "/mem:jdbc-store-contract;DB_CLOSE_DELAY=-1", "sa", "").toDataSource();
  }

  @AfterAll
  void stopServer() {
    stopDatabase();
  }

  @Override
  DataSource dataSource() {
    return dataSource;
  }

  @Override
  void stopDatabase() {
    server.stop();
  }

  @Override
  void startDatabase() throws SQLException {
    server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.H2;
  }
}
