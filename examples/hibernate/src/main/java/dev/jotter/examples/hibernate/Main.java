package dev.jotter.examples.hibernate;

import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

/** Runs the example: {@code ../../mvnw -B -q compile exec:java} from examples/hibernate. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    try (SessionFactory factory = Library.build("main")) {
      factory.inTransaction(session -> {
        Author ada = new Author(1L, "Ada Lovelace");
        session.persist(ada);
        session.persist(new Book(10L, "Notes on the Analytical Engine", ada));
      });
      factory.getCache().evictAllRegions();
      Statistics stats = factory.getStatistics();
      stats.clear();
      for (int i = 0; i < 3; i++) {
        factory.inTransaction(session -> {
          Author author = session.find(Author.class, 1L);
          author.getBooks().size();
          session.createSelectionQuery("from Book where title like :t", Book.class)
              .setParameter("t", "Notes%").setCacheable(true).getResultList();
        });
      }
      System.out.printf("second-level cache: %d hits, %d misses, %d puts; query cache: %d hits, "
          + "%d misses; statements prepared: %d%n", stats.getSecondLevelCacheHitCount(),
          stats.getSecondLevelCacheMissCount(), stats.getSecondLevelCachePutCount(),
          stats.getQueryCacheHitCount(), stats.getQueryCacheMissCount(),
          stats.getPrepareStatementCount());
    }
  }
}
