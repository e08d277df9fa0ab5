package dev.jotter.writer;

import dev.jotter.configuration.ConfigurationFile;
import dev.jotter.configuration.JotterConfiguration;
import dev.jotter.configuration.WriteBehindConfiguration;
import dev.jotter.writebehind.WriteBehindLogFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import javax.cache.CacheException;
import javax.cache.integration.CacheWriter;
import org.jspecify.annotations.Nullable;

/**
 * Decides, for a cache's configuration, whether its writer is called in the mutation (write-through)
 * or later (write-behind), and with which log: the one place that decision is made.
 */
public final class WriterRoutes {

  /**
   * System property that turns every write-through cache without write-behind settings into a
   * write-behind cache with the default settings: for trying write-behind on an application (and
   * for running the TCK that way) without changing its configuration.
   */
  public static final String DEFAULT_WRITE_BEHIND = "jotter.writeBehind.default";

  /** System property: the drain timeout of the caches {@value #DEFAULT_WRITE_BEHIND} makes write-behind. */
  public static final String DEFAULT_WRITE_BEHIND_DRAIN_TIMEOUT =
      "jotter.writeBehind.default.drainTimeout";

  private WriterRoutes() {}

  /**
   * The write-behind settings of a cache that has a writer: its own, or the defaults when the
   * system property {@value #DEFAULT_WRITE_BEHIND} asks for them; {@code null} for write-through.
   *
   * @param configuration the cache's configuration
   * @return the settings, or {@code null}
   */
  public static @Nullable WriteBehindConfiguration writeBehindSettings(
      JotterConfiguration<?, ?> configuration) {
    WriteBehindConfiguration settings = configuration.getWriteBehind();
    if (settings != null || !Boolean.getBoolean(DEFAULT_WRITE_BEHIND)) {
      return settings;
    }
    WriteBehindConfiguration.Builder defaults = WriteBehindConfiguration.builder();
    String drainTimeout = System.getProperty(DEFAULT_WRITE_BEHIND_DRAIN_TIMEOUT);
    if (drainTimeout != null) {
      defaults.drainTimeout(
          ConfigurationFile.parseDuration(DEFAULT_WRITE_BEHIND_DRAIN_TIMEOUT, drainTimeout));
    }
    return defaults.build();
  }

  /**
   * The factory of the write-behind log a cache's settings name, other than the journal.
   *
   * @param log the name, from {@link WriteBehindConfiguration#log()}
   * @param classLoader where to look for factories (the manager's class loader)
   * @return the factory
   * @throws CacheException naming the log and the ones found if none has that name
   */
  public static WriteBehindLogFactory logFactory(String log, ClassLoader classLoader) {
    List<String> found = new ArrayList<>();
    for (WriteBehindLogFactory factory : ServiceLoader.load(WriteBehindLogFactory.class, classLoader)) {
      if (factory.name().equals(log)) {
        return factory;
      }
      found.add(factory.name());
    }
    throw new CacheException("write-behind log '" + log + "' is not on the class path (logs found: "
        + found + ", and '" + WriteBehindConfiguration.JOURNAL_LOG + "'); for 'kafka', add "
        + "dev.jotter:jotter-kafka");
  }

  /** Returns the route of a cache that has no writer or does not write through. */
  @SuppressWarnings("unchecked")
  public static <K, V> WriterRoute<K, V> none() {
    return (WriterRoute<K, V>) NoWriter.INSTANCE;
  }

  /** Returns a synchronous write-through route to {@code writer}. */
  public static <K, V> WriterRoute<K, V> writeThrough(CacheWriter<? super K, ? super V> writer) {
    return new WriteThrough<>(writer);
  }
}
