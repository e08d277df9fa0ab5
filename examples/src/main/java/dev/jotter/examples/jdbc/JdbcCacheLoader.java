package dev.jotter.examples.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.sql.DataSource;

/**
 * Reads {@link Order orders} from the {@code orders} table for a read-through cache.
 *
 * <p>{@link #loadAll} is one query, whatever the number of keys: the keys go in as one SQL
 * array parameter ({@code id = ANY (?)}), which H2 and PostgreSQL both accept. Thread-safe:
 * each call uses its own connection.
 */
public final class JdbcCacheLoader implements CacheLoader<Long, Order> {

  private final DataSource dataSource;

  /**
   * Creates a loader.
   *
   * @param dataSource where the {@code orders} table is
   */
  public JdbcCacheLoader(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Loads one order.
   *
   * @param key the order id
   * @return the order, or {@code null} if there is no row for it
   * @throws CacheLoaderException if the database cannot be read
   */
  @Override
  public Order load(Long key) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(OrderTable.SELECT_ONE)) {
      statement.setLong(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? OrderTable.read(row) : null;
      }
    } catch (SQLException e) {
      throw new CacheLoaderException("Cannot load order " + key + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads orders with one query.
   *
   * @param keys the order ids
   * @return the orders found, by id; ids without a row are absent from the map
   * @throws CacheLoaderException if the database cannot be read
   */
  @Override
  public Map<Long, Order> loadAll(Iterable<? extends Long> keys) {
    Set<Long> distinct = new LinkedHashSet<>();
    keys.forEach(distinct::add);
    Map<Long, Order> found = new HashMap<>();
    if (distinct.isEmpty()) {
      return found;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(OrderTable.SELECT_ANY)) {
      Array ids = connection.createArrayOf("BIGINT", distinct.toArray());
      try {
        statement.setArray(1, ids);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            found.put(rows.getLong("id"), OrderTable.read(rows));
          }
        }
      } finally {
        ids.free();
      }
      return found;
    } catch (SQLException e) {
      throw new CacheLoaderException(
          "Cannot load " + distinct.size() + " orders: " + e.getMessage(), e);
    }
  }
}
