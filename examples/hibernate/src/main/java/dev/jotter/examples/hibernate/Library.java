package dev.jotter.examples.hibernate;

import java.util.Properties;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

/** Builds the example's SessionFactory: H2 in memory, Jotter as the JCache second-level cache. */
public final class Library {

  /** The Jotter configuration on the class path that declares every region. */
  public static final String JOTTER_CONFIG = "jotter-hibernate.properties";

  private Library() {}

  /** The properties of the example (also in the README). */
  public static Properties properties(String jdbcUrl, String jotterConfig) {
    Properties p = new Properties();
    p.setProperty("hibernate.connection.url", jdbcUrl);
    p.setProperty("hibernate.connection.username", "sa");
    p.setProperty("hibernate.connection.password", "");
    p.setProperty("hibernate.hbm2ddl.auto", "create-drop");
    p.setProperty("hibernate.generate_statistics", "true");
    // the second-level cache: JCache, provided by Jotter, configured by Jotter's file
    p.setProperty("hibernate.cache.use_second_level_cache", "true");
    p.setProperty("hibernate.cache.use_query_cache", "true");
    p.setProperty("hibernate.cache.region.factory_class", "jcache");
    p.setProperty("hibernate.javax.cache.provider", "dev.jotter.spi.JotterCachingProvider");
    // a class-path resource name (or a file:/jar: URL), resolved by Hibernate's ClassLoaderService
    p.setProperty("hibernate.javax.cache.uri", jotterConfig);
    // every region is declared in the file: a region that is not is an error, not a silent default
    p.setProperty("hibernate.javax.cache.missing_cache_strategy", "fail");
    return p;
  }

  /** Builds a SessionFactory over the given database with the given Jotter configuration. */
  public static SessionFactory build(String jdbcUrl, String jotterConfig) {
    Configuration configuration = new Configuration()
        .addAnnotatedClass(Author.class)
        .addAnnotatedClass(Book.class);
    configuration.addProperties(properties(jdbcUrl, jotterConfig));
    return configuration.buildSessionFactory();
  }

  /** Builds the example's SessionFactory over a fresh in-memory H2 database. */
  public static SessionFactory build(String databaseName) {
    return build("jdbc:h2:mem:" + databaseName + ";DB_CLOSE_DELAY=-1", JOTTER_CONFIG);
  }
}
