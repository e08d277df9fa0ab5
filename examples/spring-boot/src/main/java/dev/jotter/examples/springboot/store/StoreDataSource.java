package dev.jotter.examples.springboot.store;

import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Hands Spring's {@link DataSource} to the cache writer and loader. Jotter creates them from factory
 * classes named in {@code jotter.properties} (public no-argument constructors), outside Spring, so
 * they reach the DataSource through this holder; it is set when the bean is created and cleared when
 * it is destroyed (after the cache manager, which depends on this bean, has drained its writes).
 */
@Component(StoreDataSource.BEAN_NAME)
public class StoreDataSource implements DisposableBean {

  /** The bean name the cache manager is made to depend on. */
  public static final String BEAN_NAME = "jotterStoreDataSource";

  private static volatile DataSource current;

  public StoreDataSource(DataSource dataSource) {
    current = dataSource;
  }

  /** Returns the application's DataSource; fails (and write-behind retries) before it is set. */
  public static DataSource get() {
    DataSource dataSource = current;
    if (dataSource == null) {
      throw new IllegalStateException("the application's DataSource is not available (yet)");
    }
    return dataSource;
  }

  @Override
  public void destroy() {
    current = null;
  }
}
