package dev.jotter.examples.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The {@code orders} table: its DDL, and the column mapping that the writer and the loader
 * share so that they cannot drift apart.
 *
 * <p>The DDL is plain SQL that H2 and PostgreSQL both accept.
 */
public final class OrderTable {

  /** The longest customer name the table stores. */
  public static final int CUSTOMER_MAX_LENGTH = 64;

  /** Creates the table unless it exists. */
  public static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS orders ("
      + " id BIGINT PRIMARY KEY,"
      + " customer VARCHAR(" + CUSTOMER_MAX_LENGTH + ") NOT NULL,"
      + " amount_cents BIGINT NOT NULL,"
      + " version BIGINT NOT NULL,"
      + " CONSTRAINT orders_amount_not_negative CHECK (amount_cents >= 0))";

  static final String DELETE = "DELETE FROM orders WHERE id = ?";
  static final String SELECT_ONE =
      "SELECT id, customer, amount_cents, version FROM orders WHERE id = ?";
  // "= ANY(array)" is understood by both databases, takes any number of keys as one parameter,
  // and so keeps loadAll a single statement that the driver can prepare once.
  static final String SELECT_ANY =
      "SELECT id, customer, amount_cents, version FROM orders WHERE id = ANY (?)";

  private OrderTable() {}

  /**
   * Creates the {@code orders} table if it does not exist yet.
   *
   * @param dataSource where to create it
   * @throws SQLException if the DDL fails
   */
  public static void create(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(CREATE_TABLE);
    }
  }

  /**
   * Counts the rows of the {@code orders} table.
   *
   * @param dataSource where the table is
   * @return the number of rows
   * @throws SQLException if the query fails
   */
  public static long countRows(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM orders")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** Binds id, customer, amount_cents, version: the parameter order of every upsert. */
  static void bindUpsert(PreparedStatement statement, long id, Order order) throws SQLException {
    statement.setLong(1, id);
    statement.setString(2, order.customer());
    statement.setLong(3, order.amountCents());
    statement.setLong(4, order.version());
  }

  /** Reads the current row of a result set selected with the columns of {@link #SELECT_ONE}. */
  static Order read(ResultSet row) throws SQLException {
    return new Order(row.getString("customer"), row.getLong("amount_cents"),
        row.getLong("version"));
  }
}
