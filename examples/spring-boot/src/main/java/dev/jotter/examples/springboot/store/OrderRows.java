package dev.jotter.examples.springboot.store;

import dev.jotter.examples.springboot.Order;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;
import org.springframework.stereotype.Repository;

/** The {@code orders} table (schema.sql), in portable SQL (H2 and PostgreSQL). */
@Repository
public class OrderRows {

  private final DataSource dataSource;

  public OrderRows(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Returns the row, or null. */
  public Order select(long id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT customer, amount_cents FROM orders WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? new Order(id, rs.getString(1), rs.getLong(2)) : null;
      }
    } catch (SQLException e) {
      throw new CacheLoaderException("could not read order " + id, e);
    }
  }

  /** Inserts or updates the rows in one transaction. */
  public void upsert(Collection<Order> orders) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement update =
              c.prepareStatement("UPDATE orders SET customer = ?, amount_cents = ? WHERE id = ?");
          PreparedStatement insert = c.prepareStatement(
              "INSERT INTO orders (id, customer, amount_cents) VALUES (?, ?, ?)")) {
        for (Order order : orders) {
          update.setString(1, order.customer());
          update.setLong(2, order.amountCents());
          update.setLong(3, order.id());
          if (update.executeUpdate() == 0) {
            insert.setLong(1, order.id());
            insert.setString(2, order.customer());
            insert.setLong(3, order.amountCents());
            insert.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CacheWriterException("could not write " + orders.size() + " order(s): "
          + e.getMessage(), e);
    }
  }

  /** Deletes the rows in one transaction. */
  public void delete(Collection<Long> ids) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM orders WHERE id = ?")) {
        for (Long id : ids) {
          delete.setLong(1, id);
          delete.addBatch();
        }
        delete.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CacheWriterException("could not delete " + ids.size() + " order(s): "
          + e.getMessage(), e);
    }
  }
}
