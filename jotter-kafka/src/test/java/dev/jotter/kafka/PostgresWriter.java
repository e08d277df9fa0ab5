package dev.jotter.kafka;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Iterator;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * An upserting writer into table {@code kv(k text primary key, v bigint)} of the database named
 * by the system property {@code nodeLoss.jdbcUrl}: one transaction per batch, so a failed batch
 * writes nothing (and leaves its collection untouched).
 */
public final class PostgresWriter implements CacheWriter<String, Long> {
  static final String DDL = "create table if not exists kv (k text primary key, v bigint not null)";

  /** Creates the writer in the child JVM. */
  public static final class WriterFactory implements Factory<CacheWriter<String, Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    public CacheWriter<String, Long> create() {
      return new PostgresWriter(System.getProperty("nodeLoss.jdbcUrl"));
    }
  }

  private final String url;

  PostgresWriter(String url) {
    this.url = url;
  }

  @Override
  public void write(Cache.Entry<? extends String, ? extends Long> entry) {
    writeAll(new java.util.ArrayList<>(java.util.List.of(entry)));
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends String, ? extends Long>> entries) {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        PreparedStatement upsert = c.prepareStatement("insert into kv (k, v) values (?, ?) "
            + "on conflict (k) do update set v = excluded.v")) {
      c.setAutoCommit(false);
      for (Cache.Entry<? extends String, ? extends Long> e : entries) {
        upsert.setString(1, e.getKey());
        upsert.setLong(2, e.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
      c.commit();
      entries.clear();
    } catch (SQLException e) {
      throw new CacheWriterException(e);
    }
  }

  @Override
  public void delete(Object key) {
    deleteAll(new java.util.ArrayList<>(java.util.List.of(key)));
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        PreparedStatement delete = c.prepareStatement("delete from kv where k = ?")) {
      c.setAutoCommit(false);
      for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
        delete.setString(1, (String) it.next());
        delete.addBatch();
      }
      delete.executeBatch();
      c.commit();
      keys.clear();
    } catch (SQLException e) {
      throw new CacheWriterException(e);
    }
  }
}
