package dev.jotter.examples.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.management.ObjectName;
import org.hibernate.SessionFactory;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.CacheRegionStatistics;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hibernate ORM 7's second-level cache on Jotter, over H2, checked through Hibernate's statistics. */
class SecondLevelCacheTest {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private SessionFactory factory;
  private Statistics stats;

  @BeforeEach
  void build() {
    factory = Library.build("l2c-" + DATABASES.incrementAndGet());
    factory.inTransaction(session -> {
      Author ada = new Author(1L, "Ada");
      Author grace = new Author(2L, "Grace");
      session.persist(ada);
      session.persist(grace);
      session.persist(new Book(10L, "Notes", ada));
      session.persist(new Book(11L, "Sketch", ada));
      session.persist(new Book(20L, "Compilers", grace));
    });
    factory.getCache().evictAllRegions();
    stats = factory.getStatistics();
    stats.clear();
  }

  @AfterEach
  void close() {
    if (factory != null && factory.isOpen()) {
      factory.close();
    }
  }

  private CacheManager cacheManager() {
    RegionFactory regionFactory = factory.unwrap(SessionFactoryImplementor.class)
        .getServiceRegistry().requireService(RegionFactory.class);
    return ((JCacheRegionFactory) regionFactory).getCacheManager();
  }

  private String authorName(long id) {
    return factory.fromTransaction(session -> session.find(Author.class, id).getName());
  }

  @Test
  void theRegionsAreTheCachesJotterDeclaredFromTheFile() {
    CacheManager manager = cacheManager();
    assertEquals("dev.jotter.JotterCacheManager", manager.getClass().getName());
    assertTrue(manager.getURI().toString().endsWith("/jotter-hibernate.properties"),
        manager.getURI().toString());
    for (String region : List.of("authors", "books", "author-books",
        "default-query-results-region", "default-update-timestamps-region")) {
      assertNotNull(manager.getCache(region), region);
    }
  }

  @Test
  void entityLoadsHitTheCacheAfterTheFirstMiss() {
    assertEquals("Ada", authorName(1L));
    assertEquals("Ada", authorName(1L));
    assertEquals("Ada", authorName(1L));

    CacheRegionStatistics authors = stats.getDomainDataRegionStatistics("authors");
    assertEquals(1, authors.getMissCount());
    assertEquals(1, authors.getPutCount());
    assertEquals(2, authors.getHitCount());
    assertEquals(1, stats.getPrepareStatementCount(), "one SELECT, then the cache");
  }

  @Test
  void collectionLoadsHitTheCollectionRegion() {
    for (int i = 0; i < 3; i++) {
      int books = factory.fromTransaction(
          session -> session.find(Author.class, 1L).getBooks().size());
      assertEquals(2, books);
    }
    CacheRegionStatistics collection = stats.getDomainDataRegionStatistics("author-books");
    assertEquals(1, collection.getMissCount());
    assertEquals(2, collection.getHitCount());
    // the books themselves come from their region after the first load
    assertEquals(2, stats.getDomainDataRegionStatistics("books").getPutCount());
    assertEquals(4, stats.getDomainDataRegionStatistics("books").getHitCount());
  }

  @Test
  void cacheableQueriesHitTheQueryCache() {
    for (int i = 0; i < 3; i++) {
      List<String> titles = factory.fromTransaction(session -> session
          .createSelectionQuery("select b.title from Book b where b.author.id = :a order by b.title",
              String.class)
          .setParameter("a", 1L).setCacheable(true).getResultList());
      assertEquals(List.of("Notes", "Sketch"), titles);
    }
    assertEquals(1, stats.getQueryCacheMissCount());
    assertEquals(1, stats.getQueryCachePutCount());
    assertEquals(2, stats.getQueryCacheHitCount());
    assertEquals(1, stats.getPrepareStatementCount());
  }

  @Test
  void anUpdateReplacesTheCachedEntityAndInvalidatesQueriesAndCollections() {
    assertEquals("Ada", authorName(1L));
    String query = "select b.title from Book b where b.author.id = :a order by b.title";
    factory.inTransaction(session -> session.createSelectionQuery(query, String.class)
        .setParameter("a", 1L).setCacheable(true).getResultList());
    factory.inTransaction(session -> session.find(Author.class, 1L).getBooks().size());

    factory.inTransaction(session -> session.find(Author.class, 1L).setName("Ada Lovelace"));
    long statements = stats.getPrepareStatementCount();
    // the entity: never the stale name, and still from the cache (READ_WRITE puts the new state)
    assertEquals("Ada Lovelace", authorName(1L));
    assertEquals(statements, stats.getPrepareStatementCount(), "served by the cache");

    // a change to the books table invalidates the cached query result and the collection
    factory.inTransaction(session -> {
      Author ada = session.find(Author.class, 1L);
      session.persist(new Book(12L, "Menabrea", ada));
    });
    long queryMisses = stats.getQueryCacheMissCount();
    List<String> titles = factory.fromTransaction(session -> session
        .createSelectionQuery(query, String.class).setParameter("a", 1L).setCacheable(true)
        .getResultList());
    assertEquals(List.of("Menabrea", "Notes", "Sketch"), titles);
    assertEquals(queryMisses + 1, stats.getQueryCacheMissCount(), "the stale result was not used");

    factory.getCache().evictCollectionData(Author.class.getName() + ".books", 1L);
    assertEquals(Integer.valueOf(3), factory.<Integer>fromTransaction(
        session -> session.find(Author.class, 1L).getBooks().size()));
  }

  @Test
  void explicitEvictionEmptiesTheJotterCache() {
    assertEquals("Ada", authorName(1L));
    Cache<Object, Object> authors = cacheManager().getCache("authors");
    assertTrue(authors.iterator().hasNext());
    factory.getCache().evictEntityData(Author.class, 1L);
    assertFalse(authors.iterator().hasNext(), "evicted from Jotter");
    assertEquals("Ada", authorName(1L));
    assertEquals(2, stats.getDomainDataRegionStatistics("authors").getMissCount());
  }

  @Test
  void hibernateKeysAndValuesAreSerializableAndStoredByValue() {
    assertEquals("Ada", authorName(1L));
    Cache<Object, Object> authors = cacheManager().getCache("authors");
    Cache.Entry<Object, Object> entry = authors.iterator().next();
    assertInstanceOf(Serializable.class, entry.getKey());
    assertInstanceOf(Serializable.class, entry.getValue());
    // store-by-value: every read is a fresh copy of what Hibernate put
    Object first = authors.get(entry.getKey());
    Object second = authors.get(entry.getKey());
    assertNotNull(first);
    assertNotSame(first, second);
    assertEquals(first.getClass(), second.getClass());
    // and Hibernate is served correctly from those copies
    assertEquals("Ada", authorName(1L));
    assertEquals(1, stats.getDomainDataRegionStatistics("authors").getHitCount());
  }

  @Test
  void closingTheSessionFactoryClosesTheCacheManagerAndASecondOneOpensCleanly() throws Exception {
    assertEquals("Ada", authorName(1L));
    CacheManager manager = cacheManager();
    ObjectName statistics = new ObjectName("javax.cache:type=CacheStatistics,CacheManager=*,"
        + "Cache=authors");
    assertFalse(ManagementFactory.getPlatformMBeanServer().queryNames(statistics, null).isEmpty());

    factory.close();
    assertTrue(manager.isClosed(), "Hibernate closes the CacheManager with the SessionFactory");
    assertTrue(ManagementFactory.getPlatformMBeanServer().queryNames(statistics, null).isEmpty(),
        "its statistics MBeans are gone");

    // same URI, same class loader: the provider opens a new manager and declares the caches anew
    factory = Library.build("l2c-reopen");
    CacheManager reopened = cacheManager();
    assertNotSame(manager, reopened);
    assertFalse(reopened.isClosed());
    factory.inTransaction(session -> session.persist(new Author(3L, "Barbara")));
    factory.getCache().evictAllRegions();
    assertEquals("Barbara", authorName(3L));
    assertEquals("Barbara", authorName(3L));
    assertEquals(1, factory.getStatistics().getDomainDataRegionStatistics("authors").getHitCount());
  }

  @Test
  void missingCacheStrategyFailRejectsARegionTheFileDoesNotDeclare() {
    Exception e = assertThrows(Exception.class, () -> Library.build(
        "jdbc:h2:mem:l2c-missing;DB_CLOSE_DELAY=-1", "jotter-hibernate-no-books.properties").close());
    Throwable cause = e;
    StringBuilder messages = new StringBuilder();
    while (cause != null) {
      messages.append(cause.getMessage()).append(" | ");
      cause = cause.getCause();
    }
    assertTrue(messages.toString().contains("books"), messages.toString());
  }
}
