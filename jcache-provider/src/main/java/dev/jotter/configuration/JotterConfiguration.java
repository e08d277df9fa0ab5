package dev.jotter.configuration;

import dev.jotter.journal.JournalSerializer;
import dev.jotter.writebehind.DeadLetterHandler;
import dev.jotter.writebehind.FlushScheduler;
import java.io.ObjectInputFilter;
import java.util.Objects;
import java.util.OptionalLong;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a Jotter cache: everything {@link MutableConfiguration} holds, plus capacity
 * (maximum size or weight, enforced by Caffeine), the time source, the class filter used when
 * store-by-value copies values through Java serialization, and write-behind
 * ({@link #setWriteBehind}) with its dead letters and journal.
 *
 * <pre>{@code
 * var config = new JotterConfiguration<Long, Order>()
 *     .setTypes(Long.class, Order.class)
 *     .setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(Duration.ONE_HOUR))
 *     .setMaximumSize(10_000);
 * Cache<Long, Order> orders = cacheManager.createCache("orders", config);
 * }</pre>
 *
 * <p>Every setter inherited from {@link MutableConfiguration} is overridden to return
 * {@code JotterConfiguration}, so JCache and Jotter settings chain in any order.
 *
 * <p>Every setter validates its argument and throws {@link IllegalArgumentException} naming the setting
 * and the allowed values. Settings that conflict with each other are checked by {@link #validate()},
 * which the cache manager calls before it creates the cache.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class JotterConfiguration<K, V> extends MutableConfiguration<K, V> {

  private static final long serialVersionUID = 1L;

  private static final long UNSET = -1L;

  /** The most entries, or {@code UNSET}. */
  private long maximumSize = UNSET;
  /** The most total weight, or {@code UNSET}. */
  private long maximumWeight = UNSET;
  /** Weighs the entries when {@code maximumWeight} is set. */
  private @Nullable Factory<? extends Weigher<? super K, ? super V>> weigherFactory;
  /** The cache's time source. */
  private Factory<? extends Ticker> tickerFactory = new SystemTickerFactory();
  /** The {@code ObjectInputFilter} pattern of store-by-value copies, or null. */
  private @Nullable String copyFilter;
  /** The write-behind settings, or null for write-through. */
  private @Nullable WriteBehindConfiguration writeBehind;
  /** Hears of dead letters, or null for none. */
  private @Nullable Factory<? extends DeadLetterHandler<K, V>> deadLetterHandlerFactory;
  /** Writes keys and values to the journal, or null for the built-in codecs. */
  private @Nullable Factory<? extends JournalSerializer<K, V>> journalSerializerFactory;
  /** The classes the journal may deserialize, or null. */
  private @Nullable String journalAllowList;
  /** Runs the write-behind flushers, or null for daemon threads. */
  private @Nullable Factory<? extends FlushScheduler> flushSchedulerFactory;

  /** Creates a configuration with the JCache defaults: unbounded, eternal, store-by-value. */
  public JotterConfiguration() {}

  /**
   * Copies a configuration; a {@link JotterConfiguration} keeps its Jotter settings, any other
   * {@link CompleteConfiguration} keeps its JCache settings, and a plain {@link Configuration} keeps its
   * types and store-by-value flag.
   *
   * @param configuration the configuration to copy
   */
  public JotterConfiguration(Configuration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    if (configuration instanceof CompleteConfiguration<?, ?>) {
      copyFrom((CompleteConfiguration<K, V>) configuration);
    } else {
      setTypes(configuration.getKeyType(), configuration.getValueType());
      setStoreByValue(configuration.isStoreByValue());
    }
    if (configuration instanceof JotterConfiguration<?, ?>) {
      JotterConfiguration<K, V> other = (JotterConfiguration<K, V>) configuration;
      this.maximumSize = other.maximumSize;
      this.maximumWeight = other.maximumWeight;
      this.weigherFactory = other.weigherFactory;
      this.tickerFactory = other.tickerFactory;
      this.copyFilter = other.copyFilter;
      this.writeBehind = other.writeBehind;
      this.deadLetterHandlerFactory = other.deadLetterHandlerFactory;
      this.journalSerializerFactory = other.journalSerializerFactory;
      this.journalAllowList = other.journalAllowList;
      this.flushSchedulerFactory = other.flushSchedulerFactory;
    }
  }

  private void copyFrom(CompleteConfiguration<K, V> other) {
    setTypes(other.getKeyType(), other.getValueType());
    other.getCacheEntryListenerConfigurations().forEach(this::addCacheEntryListenerConfiguration);
    setCacheLoaderFactory(other.getCacheLoaderFactory());
    setCacheWriterFactory(other.getCacheWriterFactory());
    setExpiryPolicyFactory(other.getExpiryPolicyFactory());
    setReadThrough(other.isReadThrough());
    setWriteThrough(other.isWriteThrough());
    setStoreByValue(other.isStoreByValue());
    setStatisticsEnabled(other.isStatisticsEnabled());
    setManagementEnabled(other.isManagementEnabled());
  }

  // The setters of MutableConfiguration, returning this type so that a chain can go on with Jotter's
  // own settings. Each only delegates: the JCache semantics (null factories, defaults) stay as they are.

  /**
   * Sets the key and value types, as {@link MutableConfiguration#setTypes} does.
   *
   * @param keyType the key type, not null ({@code Object.class} for any)
   * @param valueType the value type, not null ({@code Object.class} for any)
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setTypes(Class<K> keyType, Class<V> valueType) {
    super.setTypes(keyType, valueType);
    return this;
  }

  /**
   * Adds an entry listener, as {@link MutableConfiguration#addCacheEntryListenerConfiguration} does.
   *
   * @param listenerConfiguration the listener's configuration, not null and not added yet
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> addCacheEntryListenerConfiguration(
      CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    super.addCacheEntryListenerConfiguration(listenerConfiguration);
    return this;
  }

  /**
   * Removes an entry listener, as {@link MutableConfiguration#removeCacheEntryListenerConfiguration}
   * does.
   *
   * @param listenerConfiguration the listener's configuration, not null
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> removeCacheEntryListenerConfiguration(
      CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    super.removeCacheEntryListenerConfiguration(listenerConfiguration);
    return this;
  }

  /**
   * Sets the factory of the read-through {@code CacheLoader}, as
   * {@link MutableConfiguration#setCacheLoaderFactory} does.
   *
   * @param factory the loader factory, or null
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setCacheLoaderFactory(
      @Nullable Factory<? extends CacheLoader<K, V>> factory) {
    super.setCacheLoaderFactory(factory);
    return this;
  }

  /**
   * Sets the factory of the {@code CacheWriter}, as {@link MutableConfiguration#setCacheWriterFactory}
   * does; with {@link #setWriteBehind} the writer is called later, in batches.
   *
   * @param factory the writer factory, or null
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setCacheWriterFactory(
      @Nullable Factory<? extends CacheWriter<? super K, ? super V>> factory) {
    super.setCacheWriterFactory(factory);
    return this;
  }

  /**
   * Sets the factory of the expiry policy, as {@link MutableConfiguration#setExpiryPolicyFactory}
   * does.
   *
   * @param factory the expiry policy factory, or null for the eternal policy
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setExpiryPolicyFactory(
      @Nullable Factory<? extends ExpiryPolicy> factory) {
    super.setExpiryPolicyFactory(factory);
    return this;
  }

  /**
   * Sets whether a miss is loaded through the {@code CacheLoader}, as
   * {@link MutableConfiguration#setReadThrough} does.
   *
   * @param isReadThrough true to read through
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setReadThrough(boolean isReadThrough) {
    super.setReadThrough(isReadThrough);
    return this;
  }

  /**
   * Sets whether mutations are written through the {@code CacheWriter}, as
   * {@link MutableConfiguration#setWriteThrough} does; write-behind needs it too.
   *
   * @param isWriteThrough true to write through (or behind)
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setWriteThrough(boolean isWriteThrough) {
    super.setWriteThrough(isWriteThrough);
    return this;
  }

  /**
   * Sets store-by-value (copies) or store-by-reference, as {@link MutableConfiguration#setStoreByValue}
   * does.
   *
   * @param isStoreByValue true to store copies
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setStoreByValue(boolean isStoreByValue) {
    super.setStoreByValue(isStoreByValue);
    return this;
  }

  /**
   * Sets whether the cache keeps JCache statistics, as
   * {@link MutableConfiguration#setStatisticsEnabled} does.
   *
   * @param enabled true to keep statistics
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setStatisticsEnabled(boolean enabled) {
    super.setStatisticsEnabled(enabled);
    return this;
  }

  /**
   * Sets whether the cache registers its configuration MBean, as
   * {@link MutableConfiguration#setManagementEnabled} does.
   *
   * @param enabled true to register it
   * @return this configuration
   */
  @Override
  public JotterConfiguration<K, V> setManagementEnabled(boolean enabled) {
    super.setManagementEnabled(enabled);
    return this;
  }

  /**
   * Bounds the cache to at most {@code maximumSize} entries; Caffeine evicts the entries least likely
   * to be used again. Exclusive with {@link #setMaximumWeight}.
   *
   * @param maximumSize at least 0
   * @return this configuration
   */
  public JotterConfiguration<K, V> setMaximumSize(long maximumSize) {
    if (maximumSize < 0) {
      throw new IllegalArgumentException(
          "maximumSize must be 0 or more (entries), was " + maximumSize);
    }
    this.maximumSize = maximumSize;
    return this;
  }

  /** {@return the maximum number of entries, if the cache is bounded by size} */
  public OptionalLong getMaximumSize() {
    return maximumSize == UNSET ? OptionalLong.empty() : OptionalLong.of(maximumSize);
  }

  /**
   * Bounds the cache to a total weight, each entry weighed by the given weigher. Exclusive with
   * {@link #setMaximumSize}.
   *
   * @param maximumWeight at least 0
   * @param weigherFactory creates the weigher; it must be serializable like every JCache factory
   * @return this configuration
   */
  public JotterConfiguration<K, V> setMaximumWeight(
      long maximumWeight, Factory<? extends Weigher<? super K, ? super V>> weigherFactory) {
    if (maximumWeight < 0) {
      throw new IllegalArgumentException(
          "maximumWeight must be 0 or more, was " + maximumWeight);
    }
    this.weigherFactory = Objects.requireNonNull(weigherFactory, "weigherFactory");
    this.maximumWeight = maximumWeight;
    return this;
  }

  /** {@return the maximum total weight, if the cache is bounded by weight} */
  public OptionalLong getMaximumWeight() {
    return maximumWeight == UNSET ? OptionalLong.empty() : OptionalLong.of(maximumWeight);
  }

  /** {@return the weigher factory set with {@link #setMaximumWeight}, or null} */
  public @Nullable Factory<? extends Weigher<? super K, ? super V>> getWeigherFactory() {
    return weigherFactory;
  }

  /**
   * Sets the time source of the cache (expiry, statistics, write-behind delays); tests use a
   * manually advanced ticker. The default reads {@link System#nanoTime()}.
   *
   * @param tickerFactory creates the ticker; serializable like every JCache factory
   * @return this configuration
   */
  public JotterConfiguration<K, V> setTickerFactory(Factory<? extends Ticker> tickerFactory) {
    this.tickerFactory = Objects.requireNonNull(tickerFactory, "tickerFactory");
    return this;
  }

  /** {@return the factory of the cache's time source} */
  public Factory<? extends Ticker> getTickerFactory() {
    return tickerFactory;
  }

  /**
   * Sets the {@link ObjectInputFilter} pattern (the syntax of
   * {@link ObjectInputFilter.Config#createFilter}) that store-by-value applies when it copies a value
   * through Java serialization, for example {@code "com.example.model.*;java.base/*;!*"}. When unset,
   * the JVM-wide filter ({@code jdk.serialFilter}) applies if there is one, else only graph limits.
   *
   * @param pattern a filter pattern, or null to use the default
   * @return this configuration
   * @throws IllegalArgumentException if the pattern is malformed
   */
  public JotterConfiguration<K, V> setCopyFilter(@Nullable String pattern) {
    if (pattern != null) {
      try {
        ObjectInputFilter.Config.createFilter(pattern);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("copyFilter is not a valid ObjectInputFilter pattern ("
            + e.getMessage() + "): " + pattern, e);
      }
    }
    this.copyFilter = pattern;
    return this;
  }

  /** {@return the copy filter pattern, or null for the default} */
  public @Nullable String getCopyFilter() {
    return copyFilter;
  }

  /**
   * Makes the cache write-behind: its {@code CacheWriter} (configured the JCache way, with
   * {@code setWriteThrough(true)} and a writer factory) is called later, in batches, by the
   * cache's write-behind buffer, instead of inside each mutation. Null makes it write-through again.
   *
   * @param writeBehind the buffer's settings, or null
   * @return this configuration
   */
  public JotterConfiguration<K, V> setWriteBehind(
      @Nullable WriteBehindConfiguration writeBehind) {
    this.writeBehind = writeBehind;
    return this;
  }

  /** {@return the write-behind settings, or null for a write-through (or writer-less) cache} */
  public @Nullable WriteBehindConfiguration getWriteBehind() {
    return writeBehind;
  }

  /**
   * Sets what hears about the operations that write-behind gave up on after their retries (to
   * alert, or to copy them elsewhere); default none. The letters themselves are always kept by the
   * cache ({@code JotterCache.deadLetters()}: listed, resubmitted, discarded), in its journal when
   * it has one, whatever the handler does.
   *
   * @param deadLetterHandlerFactory creates the handler, or null for none
   * @return this configuration
   */
  public JotterConfiguration<K, V> setDeadLetterHandlerFactory(
      @Nullable Factory<? extends DeadLetterHandler<K, V>> deadLetterHandlerFactory) {
    this.deadLetterHandlerFactory = deadLetterHandlerFactory;
    return this;
  }

  /** {@return the dead-letter handler factory, or null for none} */
  public @Nullable Factory<? extends DeadLetterHandler<K, V>> getDeadLetterHandlerFactory() {
    return deadLetterHandlerFactory;
  }

  /**
   * Sets how a durable write-behind cache writes keys and values to its journal. Without one, keys
   * and values of type {@code String}, {@code Long}, {@code Integer} and {@code byte[]} are written
   * by built-in codecs, and any other type through Java serialization restricted to
   * {@link #setJournalAllowList the allow-list}.
   *
   * @param journalSerializerFactory creates the serializer, or null for the default
   * @return this configuration
   */
  public JotterConfiguration<K, V> setJournalSerializerFactory(
      @Nullable Factory<? extends JournalSerializer<K, V>> journalSerializerFactory) {
    this.journalSerializerFactory = journalSerializerFactory;
    return this;
  }

  /** {@return the journal serializer factory, or null for the default} */
  public @Nullable Factory<? extends JournalSerializer<K, V>> getJournalSerializerFactory() {
    return journalSerializerFactory;
  }

  /**
   * Sets the classes the journal may deserialize when it reads Java-serialized keys and values back,
   * as an {@link ObjectInputFilter} pattern such as {@code "com.example.model.*;java.base/*"}.
   * Nothing outside it is ever deserialized from a journal.
   *
   * @param pattern a filter pattern, or null for none
   * @return this configuration
   * @throws IllegalArgumentException if the pattern is malformed
   */
  public JotterConfiguration<K, V> setJournalAllowList(@Nullable String pattern) {
    if (pattern != null) {
      try {
        ObjectInputFilter.Config.createFilter(pattern);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("journalAllowList is not a valid ObjectInputFilter "
            + "pattern (" + e.getMessage() + "): " + pattern, e);
      }
    }
    this.journalAllowList = pattern;
    return this;
  }

  /** {@return the journal allow-list pattern, or null} */
  public @Nullable String getJournalAllowList() {
    return journalAllowList;
  }

  /**
   * Sets the scheduler that runs the write-behind flushers; tests inject a manual one to drive time.
   * The default is a daemon thread pool of {@code flusherThreads} threads per cache.
   *
   * @param flushSchedulerFactory creates the scheduler, or null for the default
   * @return this configuration
   */
  public JotterConfiguration<K, V> setFlushSchedulerFactory(
      @Nullable Factory<? extends FlushScheduler> flushSchedulerFactory) {
    this.flushSchedulerFactory = flushSchedulerFactory;
    return this;
  }

  /** {@return the flush scheduler factory, or null for the default} */
  public @Nullable Factory<? extends FlushScheduler> getFlushSchedulerFactory() {
    return flushSchedulerFactory;
  }

  /**
   * Checks the settings that depend on each other.
   *
   * @throws IllegalArgumentException naming the conflicting settings
   */
  public void validate() {
    if (maximumSize != UNSET && maximumWeight != UNSET) {
      throw new IllegalArgumentException("maximumSize (" + maximumSize + ") and maximumWeight ("
          + maximumWeight + ") are exclusive: set at most one of them");
    }
    if (isReadThrough() && getCacheLoaderFactory() == null) {
      throw new IllegalArgumentException(
          "readThrough is true but no cacheLoaderFactory is set: set one, or readThrough to false");
    }
    if (isWriteThrough() && getCacheWriterFactory() == null) {
      throw new IllegalArgumentException(
          "writeThrough is true but no cacheWriterFactory is set: set one, or writeThrough to false");
    }
    if (writeBehind != null && !isWriteThrough()) {
      throw new IllegalArgumentException("writeBehind is set but writeThrough is false: write-behind "
          + "delays the writes of the cache's CacheWriter, so set writeThrough(true) and a "
          + "cacheWriterFactory, or remove writeBehind");
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof JotterConfiguration<?, ?>) || !super.equals(o)) {
      return false;
    }
    JotterConfiguration<?, ?> other = (JotterConfiguration<?, ?>) o;
    return maximumSize == other.maximumSize
        && maximumWeight == other.maximumWeight
        && Objects.equals(weigherFactory, other.weigherFactory)
        && Objects.equals(tickerFactory, other.tickerFactory)
        && Objects.equals(copyFilter, other.copyFilter)
        && Objects.equals(writeBehind, other.writeBehind)
        && Objects.equals(deadLetterHandlerFactory, other.deadLetterHandlerFactory)
        && Objects.equals(journalSerializerFactory, other.journalSerializerFactory)
        && Objects.equals(journalAllowList, other.journalAllowList)
        && Objects.equals(flushSchedulerFactory, other.flushSchedulerFactory);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), maximumSize, maximumWeight, weigherFactory, copyFilter,
        writeBehind);
  }

  /** Creates the system ticker; a named class so that the default factory is serializable. */
  static final class SystemTickerFactory implements Factory<Ticker> {
    private static final long serialVersionUID = 1L;

    @Override
    public Ticker create() {
      return Ticker.system();
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof SystemTickerFactory;
    }

    @Override
    public int hashCode() {
      return SystemTickerFactory.class.hashCode();
    }
  }
}
