package dev.jotter.examples.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The few statements that differ between the supported databases; everything else in this
 * package is shared.
 */
public enum SqlDialect {

  /** H2 2.x, whose {@code MERGE ... KEY} is its native upsert. */
  H2("MERGE INTO orders (id, customer, amount_cents, version) KEY (id) VALUES (?, ?, ?, ?)"),

  /** PostgreSQL 9.5 and later. */
  POSTGRESQL("INSERT INTO orders (id, customer, amount_cents, version) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (id) DO UPDATE SET customer = EXCLUDED.customer,"
      + " amount_cents = EXCLUDED.amount_cents, version = EXCLUDED.version");

  private final String upsertSql;

  SqlDialect(String upsertSql) {
    this.upsertSql = upsertSql;
  }

  /**
   * Returns the single-row upsert; its parameters are id, customer, amount_cents, version.
   *
   * @return the upsert statement of this dialect
   */
  public String upsertSql() {
    return upsertSql;
  }

  /**
   * Detects the dialect of the database behind a connection from its metadata.
   *
   * @param connection an open connection
   * @return the matching dialect
   * @throws SQLException if the metadata cannot be read
   * @throws IllegalArgumentException if the database is neither H2 nor PostgreSQL
   */
  public static SqlDialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String normalized = product.toLowerCase(Locale.ROOT);
    if (normalized.equals("h2")) {
      return H2;
    }
    if (normalized.contains("postgresql")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException("Unsupported database '" + product
        + "'; supported: H2, PostgreSQL");
  }
}
