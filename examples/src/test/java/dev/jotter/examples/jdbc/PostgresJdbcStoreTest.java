package dev.jotter.examples.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC store contract on a real PostgreSQL server, started from the embedded binaries and
 * restarted on the same data directory and port to model a database outage.
 */
class PostgresJdbcStoreTest extends JdbcStoreContract {

  private Path dataDirectory;
  private EmbeddedPostgres postgres;
  private int port;
  private DataSource dataSource;

  @BeforeAll
  void startPostgres() throws IOException {
    dataDirectory = Files.createTempDirectory("jotter-pg-");
    long began = System.nanoTime();
    postgres = builder().start();
    System.out.printf("embedded PostgreSQL started in %d ms%n",
        (System.nanoTime() - began) / 1_000_000);
    port = postgres.getPort();
    // The server's own PGSimpleDataSource: the writer takes any DataSource, not only ours.
    dataSource = postgres.getPostgresDatabase();
  }

  @AfterAll
  void stopPostgres() throws IOException {
    try {
      if (postgres != null) {
        postgres.close();
      }
    } finally {
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private EmbeddedPostgres.Builder builder() {
    // Not cleaned on close: a restart must find the data the test wrote before the outage.
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false);
  }

  @Override
  DataSource dataSource() {
    return dataSource;
  }

  @Override
  void stopDatabase() throws IOException {
    postgres.close();
    postgres = null;
  }

  @Override
  void startDatabase() throws IOException {
    long began = System.nanoTime();
    postgres = builder().setPort(port).start();
    System.out.printf("embedded PostgreSQL restarted in %d ms%n",
        (System.nanoTime() - began) / 1_000_000);
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.POSTGRESQL;
  }
}
