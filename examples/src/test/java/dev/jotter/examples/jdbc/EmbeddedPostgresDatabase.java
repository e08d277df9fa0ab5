package dev.jotter.examples.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server, started from the embedded binaries and restarted on the same data
 * directory and port to model an outage.
 */
final class EmbeddedPostgresDatabase implements TestDatabase {

  private final Path dataDirectory;
  private EmbeddedPostgres postgres;
  private final int port;
  private final JdbcSettings settings;
  private final DataSource dataSource;

  private EmbeddedPostgresDatabase(Path dataDirectory) throws IOException {
    this.dataDirectory = dataDirectory;
    long began = System.nanoTime();
    postgres = builder().start();
    System.out.printf("embedded PostgreSQL started in %d ms%n",
        (System.nanoTime() - began) / 1_000_000);
    port = postgres.getPort();
    settings = new JdbcSettings(postgres.getJdbcUrl("postgres", "postgres"), null, null);
    // The server's own PGSimpleDataSource: the writer takes any DataSource, not only ours.
    dataSource = postgres.getPostgresDatabase();
  }

  /** Starts a server on a new, empty data directory. */
  static EmbeddedPostgresDatabase launch() throws IOException {
    return new EmbeddedPostgresDatabase(Files.createTempDirectory("jotter-pg-"));
  }

  private EmbeddedPostgres.Builder builder() {
    // Not cleaned on close: a restart must find the data written before the outage.
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false);
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
    return SqlDialect.POSTGRESQL;
  }

  @Override
  public void stop() throws IOException {
    postgres.close();
    postgres = null;
  }

  @Override
  public void start() throws IOException {
    long began = System.nanoTime();
    postgres = builder().setPort(port).start();
    System.out.printf("embedded PostgreSQL restarted in %d ms%n",
        (System.nanoTime() - began) / 1_000_000);
  }

  @Override
  public void close() throws IOException {
    try {
      if (postgres != null) {
        postgres.close();
        postgres = null;
      }
    } finally {
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
