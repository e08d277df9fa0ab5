package dev.jotter.examples.jdbc;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.h2.tools.Server;

/**
 * An in-memory H2 database reached over TCP, so that stopping the TCP server takes the database
 * away from its clients the way a crash of a database server would, while {@code DB_CLOSE_DELAY=-1}
 * keeps the data in this JVM for the restart.
 */
final class H2TcpDatabase implements TestDatabase {

  private final int port;
  private final JdbcSettings settings;
  private final DataSource dataSource;
  private Server server;

  private H2TcpDatabase(int port, JdbcSettings settings) {
    this.port = port;
    this.settings = settings;
    this.dataSource = settings.toDataSource();
  }

  /**
   * Starts a server on a free port for a new in-memory database.
   *
   * @param name        the database's name, unique in the JVM
   * @param urlSettings extra {@code ;KEY=VALUE} settings appended to the URL, or {@code ""}
   */
  static H2TcpDatabase launch(String name, String urlSettings) throws SQLException, IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    H2TcpDatabase database = new H2TcpDatabase(port, new JdbcSettings("jdbc:h2:tcp://localhost:"
        + port + "/mem:" + name + ";DB_CLOSE_DELAY=-1" + urlSettings, "sa", ""));
    database.start();
    return database;
  }

  @Override
  public JdbcSettings settings() {
    return settings;
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public SqlDialect dialect() {
    return SqlDialect.H2;
  }

  @Override
  public void stop() {
    server.stop();
  }

  @Override
  public void start() throws SQLException {
    server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
  }

  @Override
  public void close() {
    stop();
  }
}
