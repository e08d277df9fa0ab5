package dev.jotter.examples.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;

/**
 * Writes {@link Order orders} to the {@code orders} table: upserts for writes, deletes for
 * removals, batched, one transaction per call.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Idempotent.</b> A write is an upsert and a delete of a missing row succeeds, so an
 *       operation delivered twice (write-behind retries are at-least-once) is harmless.
 *   <li><b>All or nothing when nothing is wrong.</b> {@code writeAll}/{@code deleteAll} first
 *       run the whole collection as one JDBC batch in one transaction.
 *   <li><b>Exact partial failure (JCache 1.1.1, {@link CacheWriter#writeAll}).</b> If that
 *       transaction fails, it is rolled back and the rows are retried one by one, each in its
 *       own transaction on the same connection. Each row that succeeds is removed from the
 *       collection passed in; if any row is left, a {@link CacheWriterException} is thrown whose
 *       cause is the first {@link SQLException} (the failures of single rows are attached as
 *       suppressed exceptions). So a poison row stays in the collection, alone, while the rest
 *       is stored.
 *   <li><b>A lost database loses nothing.</b> When no connection can be had, or the connection
 *       breaks, the row-by-row pass stops: every entry not yet confirmed stays in the collection.
 *       A row whose commit reached the database but whose acknowledgement was lost also stays;
 *       writing it again is harmless because writes are idempotent.
 *   <li><b>Thread-safe.</b> No state is shared between calls beyond the data source and the
 *       detected dialect; each call uses its own connection.
 * </ul>
 *
 * <p>Every operation, single or bulk, takes the same path, so single writes and bulk writes
 * cannot disagree about failures.
 */
public final class JdbcCacheWriter implements CacheWriter<Long, Order> {

  /** Rows sent per {@code executeBatch}, bounding driver memory on very large collections. */
  private static final int ROWS_PER_EXECUTE = 500;
  /** Enough to show which rows failed without building an unbounded exception. */
  private static final int MAX_SUPPRESSED = 16;

  private final DataSource dataSource;
  private volatile SqlDialect dialect;

  /**
   * Creates a writer that detects the dialect from the database on first use.
   *
   * @param dataSource where the {@code orders} table is
   */
  public JdbcCacheWriter(DataSource dataSource) {
    this(dataSource, null);
  }

  /**
   * Creates a writer for a known dialect.
   *
   * @param dataSource where the {@code orders} table is
   * @param dialect    the database's dialect, or {@code null} to detect it on first use
   */
  public JdbcCacheWriter(DataSource dataSource, SqlDialect dialect) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.dialect = dialect;
  }

  /**
   * Upserts one order.
   *
   * @param entry the key (order id) and the order
   * @throws CacheWriterException if the row could not be written
   */
  @Override
  public void write(Cache.Entry<? extends Long, ? extends Order> entry) {
    writeAll(new ArrayList<>(List.of(entry)));
  }

  /**
   * Upserts orders in one transaction, falling back to one transaction per row on failure.
   *
   * @param entries the entries to write; on return it is empty, and on failure it holds
   *                exactly the entries that were not written
   * @throws CacheWriterException if any entry was not written
   */
  @Override
  public void writeAll(Collection<Cache.Entry<? extends Long, ? extends Order>> entries) {
    apply(entries, SqlDialect::upsertSql,
        (statement, entry) -> OrderTable.bindUpsert(statement, entry.getKey(), entry.getValue()));
  }

  /**
   * Deletes one order; deleting a missing order succeeds.
   *
   * @param key the order id
   * @throws CacheWriterException if the row could not be deleted
   */
  @Override
  public void delete(Object key) {
    deleteAll(new ArrayList<>(List.of(key)));
  }

  /**
   * Deletes orders in one transaction, falling back to one transaction per row on failure;
   * deleting a missing order succeeds.
   *
   * @param keys the order ids; on return it is empty, and on failure it holds exactly the keys
   *             that were not deleted
   * @throws CacheWriterException if any key was not deleted
   */
  @Override
  public void deleteAll(Collection<?> keys) {
    apply(keys, ignored -> OrderTable.DELETE,
        (statement, key) -> statement.setLong(1, (Long) key));
  }

  /** Sets the parameters of one row's statement. */
  @FunctionalInterface
  private interface Binder<T> {
    void bind(PreparedStatement statement, T item) throws SQLException;
  }

  private <T> void apply(Collection<T> pending, Function<SqlDialect, String> sqlOf,
      Binder<? super T> binder) {
    if (pending.isEmpty()) {
      return;
    }
    // A snapshot, because the collection is ours to shrink while we walk it.
    List<T> items = new ArrayList<>(pending);
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException unreachable) {
      throw failure(unreachable, pending.size(), items.size());
    }
    try {
      String sql = sqlOf.apply(dialect(connection));
      SQLException first = inOneTransaction(connection, sql, items, binder);
      if (first == null) {
        pending.clear();
        return;
      }
      if (items.size() > 1 && !isLost(connection, first)) {
        // Identity, not equals: Cache.Entry implementations need not define equals, and the
        // caller's own objects are what we must take out of its collection.
        Set<T> written = Collections.newSetFromMap(new IdentityHashMap<>());
        rowByRow(connection, sql, items, binder, written, first);
        pending.removeIf(written::contains);
        if (pending.isEmpty()) {
          return; // the batch failed for a reason that went away (a deadlock, a timeout)
        }
      }
      throw failure(first, pending.size(), items.size());
    } catch (SQLException | IllegalArgumentException dialectFailure) {
      throw new CacheWriterException("Cannot tell the SQL dialect of the database; "
          + pending.size() + " rows not written", dialectFailure);
    } finally {
      closeQuietly(connection);
    }
  }

  /** Returns {@code null} if every row was committed, or else the failure, rolled back. */
  private static <T> SQLException inOneTransaction(Connection connection, String sql,
      List<T> items, Binder<? super T> binder) {
    try {
      connection.setAutoCommit(false);
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        int queued = 0;
        for (T item : items) {
          binder.bind(statement, item);
          statement.addBatch();
          if (++queued % ROWS_PER_EXECUTE == 0) {
            statement.executeBatch();
          }
        }
        if (queued % ROWS_PER_EXECUTE != 0) {
          statement.executeBatch();
        }
      }
      connection.commit();
      return null;
    } catch (SQLException failure) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        failure.addSuppressed(rollbackFailure);
      }
      return failure;
    }
  }

  /**
   * Runs each row in its own transaction, recording in {@code written} what committed; stops at
   * the first sign of a lost connection. Never throws, so the caller always learns which rows
   * made it: every failure is attached to {@code first}.
   */
  private static <T> void rowByRow(Connection connection, String sql, List<T> items,
      Binder<? super T> binder, Set<T> written, SQLException first) {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException setupFailure) {
      first.addSuppressed(setupFailure);
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (T item : items) {
        try {
          binder.bind(statement, item);
          statement.executeUpdate();
          written.add(item);
        } catch (SQLException rowFailure) {
          if (first.getSuppressed().length < MAX_SUPPRESSED) {
            first.addSuppressed(rowFailure);
          }
          if (isLost(connection, rowFailure)) {
            return;
          }
        }
      }
    } catch (SQLException statementFailure) {
      first.addSuppressed(statementFailure);
    }
  }

  private SqlDialect dialect(Connection connection) throws SQLException {
    SqlDialect known = dialect;
    if (known == null) {
      // Racing threads detect the same answer, so a plain volatile write is enough.
      known = SqlDialect.of(connection);
      dialect = known;
    }
    return known;
  }

  /**
   * Whether a failure means the connection, not the row, is the problem: then trying further
   * rows would only misreport them as poison.
   */
  private static boolean isLost(Connection connection, SQLException failure) {
    String state = failure.getSQLState();
    if ((state != null && state.startsWith("08"))
        || failure instanceof SQLNonTransientConnectionException
        || failure instanceof SQLTransientConnectionException) {
      return true;
    }
    try {
      return !connection.isValid(2);
    } catch (SQLException cannotTell) {
      return true;
    }
  }

  private static CacheWriterException failure(SQLException cause, int notWritten, int total) {
    return new CacheWriterException(
        notWritten + " of " + total + " rows not written to orders: " + cause.getMessage(), cause);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Every outcome was already decided by commit or rollback; a failing close changes none.
    }
  }
}
