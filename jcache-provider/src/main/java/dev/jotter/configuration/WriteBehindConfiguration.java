package dev.jotter.configuration;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of a write-behind cache, built by {@link #builder()}.
 *
 * <p>{@link Builder#build()} rejects every out-of-range value with an {@link IllegalArgumentException}
 * that names the setting and its allowed range, so a bad configuration fails when it is built and
 * never when the first mutation arrives. The dead-letter handler is deliberately not part of this
 * class: it is behaviour, not data, and would make the configuration unserializable.
 */
public final class WriteBehindConfiguration implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The largest allowed {@code batchSize}. */
  public static final int MAX_BATCH_SIZE = 100_000;
  /** The largest allowed {@code flusherThreads}. */
  public static final int MAX_FLUSHER_THREADS = 64;
  /** The {@link #log()} of the cache's own buffer and local file journal: the default. */
  public static final String JOURNAL_LOG = "journal";
  private static final java.util.regex.Pattern LOG_NAME =
      java.util.regex.Pattern.compile("[a-z][a-z0-9-]*");
  /** The largest allowed {@code maxDeadLetters}. */
  public static final int MAX_DEAD_LETTERS = 10_000_000;

  /** See {@link #batchSize()}. */
  private final int batchSize;
  /** See {@link #maxWriteDelay()}. */
  private final Duration maxWriteDelay;
  /** See {@link #coalescing()}. */
  private final boolean coalescing;
  /** See {@link #maxPendingOperations()}. */
  private final int maxPendingOperations;
  /** See {@link #overflowPolicy()}. */
  private final OverflowPolicy overflowPolicy;
  /** See {@link #blockTimeout()}. */
  private final Duration blockTimeout;
  /** See {@link #flusherThreads()}. */
  private final int flusherThreads;
  /** See {@link #maxAttempts()}. */
  private final int maxAttempts;
  /** See {@link #maxRetryTime()}. */
  private final Duration maxRetryTime;
  /** See {@link #initialBackoff()}. */
  private final Duration initialBackoff;
  /** See {@link #maxBackoff()}. */
  private final Duration maxBackoff;
  /** See {@link #backoffMultiplier()}. */
  private final double backoffMultiplier;
  /** See {@link #jitter()}. */
  private final double jitter;
  /** See {@link #drainTimeout()}. */
  private final Duration drainTimeout;
  /** See {@link #maxDeadLetters()}. */
  private final int maxDeadLetters;
  /** See {@link #durability()}. */
  private final Durability durability;
  // Path is not Serializable; the string form round-trips through Path.of
  /** See {@link #journalDirectory()}; null if none is set. */
  private final @Nullable String journalDirectory;
  /** See {@link #syncInterval()}. */
  private final Duration syncInterval;
  /** See {@link #log()}. */
  private final String log;
  /** See {@link #logSettings()}; an immutable copy. */
  private final Map<String, String> logSettings;

  private WriteBehindConfiguration(Builder b) {
    this.batchSize = b.batchSize;
    this.maxWriteDelay = b.maxWriteDelay;
    this.coalescing = b.coalescing;
    this.maxPendingOperations = b.maxPendingOperations;
    this.overflowPolicy = b.overflowPolicy;
    this.blockTimeout = b.blockTimeout;
    this.flusherThreads = b.flusherThreads;
    this.maxAttempts = b.maxAttempts;
    this.maxRetryTime = b.maxRetryTime;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.backoffMultiplier = b.backoffMultiplier;
    this.jitter = b.jitter;
    this.drainTimeout = b.drainTimeout;
    this.maxDeadLetters = b.maxDeadLetters;
    this.durability = b.durability;
    this.journalDirectory = (b.journalDirectory == null) ? null : b.journalDirectory.toString();
    this.syncInterval = b.syncInterval;
    this.log = b.log;
    this.logSettings = Collections.unmodifiableMap(new TreeMap<>(b.logSettings));
  }

  /** {@return a builder holding the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding this configuration's values} */
  public Builder toBuilder() {
    Builder b = new Builder()
        .batchSize(batchSize).maxWriteDelay(maxWriteDelay).coalescing(coalescing)
        .maxPendingOperations(maxPendingOperations).overflowPolicy(overflowPolicy)
        .blockTimeout(blockTimeout).flusherThreads(flusherThreads).maxAttempts(maxAttempts)
        .maxRetryTime(maxRetryTime).initialBackoff(initialBackoff).maxBackoff(maxBackoff)
        .backoffMultiplier(backoffMultiplier).jitter(jitter).drainTimeout(drainTimeout)
        .maxDeadLetters(maxDeadLetters).durability(durability).syncInterval(syncInterval)
        .log(log).logSettings(logSettings);
    b.journalDirectory = journalDirectory().orElse(null);
    return b;
  }

  /**
   * {@return the most entries in one {@code writeAll} or keys in one {@code deleteAll}; default
   * 100}
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * {@return how long the oldest pending operation may wait before a partial batch leaves; default
   * 100ms}
   */
  public Duration maxWriteDelay() {
    return maxWriteDelay;
  }

  /** {@return whether a new mutation replaces the pending operation of its key; default true} */
  public boolean coalescing() {
    return coalescing;
  }

  /** {@return the most operations pending or in flight at once; default 100,000} */
  public int maxPendingOperations() {
    return maxPendingOperations;
  }

  /**
   * {@return what a mutation does when the buffer is full; default {@link OverflowPolicy#BLOCK}}
   */
  public OverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /** {@return how long {@link OverflowPolicy#BLOCK} waits for a free slot; default 5s} */
  public Duration blockTimeout() {
    return blockTimeout;
  }

  /** {@return the most batches in flight at once, each on its own flusher thread; default 1} */
  public int flusherThreads() {
    return flusherThreads;
  }

  /** {@return the most writer attempts per operation before it is dead-lettered; default 10} */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * How long an operation may keep failing, counted from its first failure, before it is
   * dead-lettered even if attempts remain; default 5 minutes. Whichever of this and
   * {@link #maxAttempts()} comes first ends the retries.
   *
   * @return the longest retry time of one operation
   */
  public Duration maxRetryTime() {
    return maxRetryTime;
  }

  /** {@return the back-off after the first failure; default 100ms} */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** {@return the longest back-off; default 30s} */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** {@return the factor by which the back-off grows per failed attempt; default 2.0} */
  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  /**
   * {@return the random spread of each back-off, as a fraction of it (0.2 means ±20%); default 0.2}
   */
  public double jitter() {
    return jitter;
  }

  /**
   * How long closing the cache waits for the buffer to drain; default 5s. Closing happens in
   * {@code Cache.close()}, {@code CacheManager.close()}, {@code CachingProvider.close()} and at JVM
   * shutdown (where every cache drains at the same time, so the total is the longest drain
   * timeout, not the sum). Keep it below the platform's grace period between SIGTERM and SIGKILL
   * (10s for {@code docker stop} and Cloud Run, 30s for Kubernetes and ECS), less the rest of the
   * application's shutdown. What is not written in time is kept in the journal of a durable cache
   * and reported as lost otherwise.
   *
   * @return the drain timeout
   */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /**
   * The most dead letters kept; default 10,000. When that many wait, an operation whose retry
   * budget is spent stays pending (retried every {@link #maxBackoff()}, counted) instead of
   * becoming a letter: none is ever dropped to make room.
   *
   * @return the most dead letters kept
   */
  public int maxDeadLetters() {
    return maxDeadLetters;
  }

  /** {@return whether pending operations are journaled to disk; default {@link Durability#NONE}} */
  public Durability durability() {
    return durability;
  }

  /** {@return the journal's directory; present unless the durability is {@link Durability#NONE}} */
  public Optional<Path> journalDirectory() {
    return Optional.ofNullable(journalDirectory).map(Path::of);
  }

  /**
   * {@return the longest time between two fsyncs of an {@link Durability#ASYNC} journal; default
   * 10ms}
   */
  public Duration syncInterval() {
    return syncInterval;
  }

  /**
   * Which log keeps the pending operations: {@value #JOURNAL_LOG} (default), the cache's own buffer
   * with the local file journal that {@link #durability()} asks for; or the name of a
   * {@code dev.jotter.writebehind.WriteBehindLogFactory} on the class path, such as {@code kafka}
   * from {@code jotter-kafka}, which keeps them in a replicated log drained by every node.
   *
   * @return the log's name
   */
  public String log() {
    return log;
  }

  /**
   * Settings passed as they are to the log named by {@link #log()} (for Kafka: bootstrap
   * servers, topic, {@code producer.*}, {@code consumer.*}); empty for the journal. In a
   * configuration file they are the keys {@code write-behind.<log>.<setting>}.
   *
   * @return the settings, sorted by name, unmodifiable
   */
  public Map<String, String> logSettings() {
    return logSettings;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof WriteBehindConfiguration)) {
      return false;
    }
    WriteBehindConfiguration c = (WriteBehindConfiguration) o;
    return batchSize == c.batchSize && coalescing == c.coalescing
        && maxPendingOperations == c.maxPendingOperations && flusherThreads == c.flusherThreads
        && maxAttempts == c.maxAttempts
        && Double.compare(backoffMultiplier, c.backoffMultiplier) == 0
        && Double.compare(jitter, c.jitter) == 0
        && maxWriteDelay.equals(c.maxWriteDelay) && overflowPolicy == c.overflowPolicy
        && blockTimeout.equals(c.blockTimeout) && maxRetryTime.equals(c.maxRetryTime)
        && initialBackoff.equals(c.initialBackoff) && maxBackoff.equals(c.maxBackoff)
        && drainTimeout.equals(c.drainTimeout) && maxDeadLetters == c.maxDeadLetters
        && durability == c.durability
        && Objects.equals(journalDirectory, c.journalDirectory)
        && syncInterval.equals(c.syncInterval) && log.equals(c.log)
        && logSettings.equals(c.logSettings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(batchSize, maxWriteDelay, coalescing, maxPendingOperations, overflowPolicy,
        blockTimeout, flusherThreads, maxAttempts, maxRetryTime, initialBackoff, maxBackoff,
        backoffMultiplier, jitter, drainTimeout, maxDeadLetters, durability, journalDirectory,
        syncInterval, log, logSettings);
  }

  @Override
  public String toString() {
    return "WriteBehindConfiguration{batchSize=" + batchSize + ", maxWriteDelay=" + maxWriteDelay
        + ", coalescing=" + coalescing + ", maxPendingOperations=" + maxPendingOperations
        + ", overflowPolicy=" + overflowPolicy + ", blockTimeout=" + blockTimeout
        + ", flusherThreads=" + flusherThreads + ", maxAttempts=" + maxAttempts
        + ", maxRetryTime=" + maxRetryTime + ", initialBackoff=" + initialBackoff
        + ", maxBackoff=" + maxBackoff + ", backoffMultiplier=" + backoffMultiplier
        + ", jitter=" + jitter + ", drainTimeout=" + drainTimeout
        + ", maxDeadLetters=" + maxDeadLetters + ", durability=" + durability
        + ", journalDirectory=" + journalDirectory + ", syncInterval=" + syncInterval
        + ", log=" + log + (logSettings.isEmpty() ? "" : ", logSettings=" + logSettings.keySet())
        + '}';
  }

  /**
   * Collects settings for a {@link WriteBehindConfiguration}. Setters only reject nulls; every
   * range, including the ones that relate two settings, is checked by {@link #build()}.
   */
  public static final class Builder {
    private int batchSize = 100;
    private Duration maxWriteDelay = Duration.ofMillis(100);
    private boolean coalescing = true;
    private int maxPendingOperations = 100_000;
    private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
    private Duration blockTimeout = Duration.ofSeconds(5);
    private int flusherThreads = 1;
    private int maxAttempts = 10;
    private Duration maxRetryTime = Duration.ofMinutes(5);
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private double backoffMultiplier = 2.0;
    private double jitter = 0.2;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private int maxDeadLetters = 10_000;
    private Durability durability = Durability.NONE;
    private @Nullable Path journalDirectory;
    private Duration syncInterval = Duration.ofMillis(10);
    private String log = JOURNAL_LOG;
    private final Map<String, String> logSettings = new TreeMap<>();

    private Builder() {}

    /**
     * Sets {@link WriteBehindConfiguration#batchSize()}.
     *
     * @param batchSize 1 to {@value #MAX_BATCH_SIZE}; checked by {@link #build()}
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#maxWriteDelay()}.
     *
     * @param maxWriteDelay positive; checked by {@link #build()}
     * @return this builder
     */
    public Builder maxWriteDelay(Duration maxWriteDelay) {
      this.maxWriteDelay = requireNonNull(maxWriteDelay, "maxWriteDelay");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#coalescing()}.
     *
     * @param coalescing the new value
     * @return this builder
     */
    public Builder coalescing(boolean coalescing) {
      this.coalescing = coalescing;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#maxPendingOperations()}.
     *
     * @param maxPendingOperations at least {@code batchSize}; checked by {@link #build()}
     * @return this builder
     */
    public Builder maxPendingOperations(int maxPendingOperations) {
      this.maxPendingOperations = maxPendingOperations;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#overflowPolicy()}.
     *
     * @param overflowPolicy the new value
     * @return this builder
     */
    public Builder overflowPolicy(OverflowPolicy overflowPolicy) {
      this.overflowPolicy = requireNonNull(overflowPolicy, "overflowPolicy");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#blockTimeout()}.
     *
     * @param blockTimeout zero or positive; checked by {@link #build()}
     * @return this builder
     */
    public Builder blockTimeout(Duration blockTimeout) {
      this.blockTimeout = requireNonNull(blockTimeout, "blockTimeout");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#flusherThreads()}.
     *
     * @param flusherThreads 1 to {@value #MAX_FLUSHER_THREADS}; checked by {@link #build()}
     * @return this builder
     */
    public Builder flusherThreads(int flusherThreads) {
      this.flusherThreads = flusherThreads;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#maxAttempts()}.
     *
     * @param maxAttempts at least 1; checked by {@link #build()}
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#maxRetryTime()}.
     *
     * @param maxRetryTime positive; checked by {@link #build()}
     * @return this builder
     */
    public Builder maxRetryTime(Duration maxRetryTime) {
      this.maxRetryTime = requireNonNull(maxRetryTime, "maxRetryTime");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#initialBackoff()}.
     *
     * @param initialBackoff positive; checked by {@link #build()}
     * @return this builder
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = requireNonNull(initialBackoff, "initialBackoff");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#maxBackoff()}.
     *
     * @param maxBackoff at least {@code initialBackoff}; checked by {@link #build()}
     * @return this builder
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#backoffMultiplier()}.
     *
     * @param backoffMultiplier 1.0 to 1000.0; checked by {@link #build()}
     * @return this builder
     */
    public Builder backoffMultiplier(double backoffMultiplier) {
      this.backoffMultiplier = backoffMultiplier;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#jitter()}.
     *
     * @param jitter 0.0 to 1.0; checked by {@link #build()}
     * @return this builder
     */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#drainTimeout()}.
     *
     * @param drainTimeout zero or positive; checked by {@link #build()}
     * @return this builder
     */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = requireNonNull(drainTimeout, "drainTimeout");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#maxDeadLetters()}; 1 to {@value #MAX_DEAD_LETTERS}.
     *
     * @param maxDeadLetters the new value
     * @return this builder
     */
    public Builder maxDeadLetters(int maxDeadLetters) {
      this.maxDeadLetters = maxDeadLetters;
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#durability()}.
     *
     * @param durability the new value
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#journalDirectory()}.
     *
     * @param journalDirectory the directory; required unless NONE
     * @return this builder
     */
    public Builder journalDirectory(Path journalDirectory) {
      this.journalDirectory = requireNonNull(journalDirectory, "journalDirectory");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#syncInterval()}.
     *
     * @param syncInterval positive; checked by {@link #build()}
     * @return this builder
     */
    public Builder syncInterval(Duration syncInterval) {
      this.syncInterval = requireNonNull(syncInterval, "syncInterval");
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#log()}.
     *
     * @param log {@value #JOURNAL_LOG} or a log factory's name: lower-case letters, digits and
     *     {@code -}; checked by {@link #build()}
     * @return this builder
     */
    public Builder log(String log) {
      this.log = requireNonNull(log, "log");
      return this;
    }

    /**
     * Sets one of {@link WriteBehindConfiguration#logSettings()}.
     *
     * @param name the setting's name, such as {@code bootstrap.servers}
     * @param value its value
     * @return this builder
     */
    public Builder logSetting(String name, String value) {
      logSettings.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets {@link WriteBehindConfiguration#logSettings()}, replacing any set before.
     *
     * @param settings names and values
     * @return this builder
     */
    public Builder logSettings(Map<String, String> settings) {
      logSettings.clear();
      settings.forEach(this::logSetting);
      return this;
    }

    /**
     * Validates every setting and returns the configuration.
     *
     * @return the immutable configuration
     * @throws IllegalArgumentException naming the first setting out of its allowed range; a bound
     *     that another setting sets names that setting too
     */
    public WriteBehindConfiguration build() {
      requireBetween("batchSize", batchSize, 1, MAX_BATCH_SIZE);
      requirePositive("maxWriteDelay", maxWriteDelay);
      if (maxPendingOperations < batchSize) {
        // a bound derived from another setting names that setting, so the fix is clear either way
        throw new IllegalArgumentException("maxPendingOperations must be at least batchSize ("
            + batchSize + "): the buffer must hold one full batch; was " + maxPendingOperations
            + " (raise maxPendingOperations or lower batchSize)");
      }
      requireNotNegative("blockTimeout", blockTimeout);
      requireBetween("flusherThreads", flusherThreads, 1, MAX_FLUSHER_THREADS);
      requireBetween("maxAttempts", maxAttempts, 1, Integer.MAX_VALUE);
      requirePositive("maxRetryTime", maxRetryTime);
      requirePositive("initialBackoff", initialBackoff);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff must be at least initialBackoff ("
            + initialBackoff + "), was " + maxBackoff
            + " (raise maxBackoff or lower initialBackoff)");
      }
      requireBetween("backoffMultiplier", backoffMultiplier, 1.0, 1000.0);
      requireBetween("jitter", jitter, 0.0, 1.0);
      requireNotNegative("drainTimeout", drainTimeout);
      requireBetween("maxDeadLetters", maxDeadLetters, 1, MAX_DEAD_LETTERS);
      requirePositive("syncInterval", syncInterval);
      if (!LOG_NAME.matcher(log).matches()) {
        throw new IllegalArgumentException("log must be '" + JOURNAL_LOG + "' or the name of a "
            + "WriteBehindLogFactory (lower-case letters, digits and '-'), was '" + log + "'");
      }
      if (log.equals(JOURNAL_LOG) && !logSettings.isEmpty()) {
        throw new IllegalArgumentException("logSettings " + logSettings.keySet() + " need a log "
            + "other than '" + JOURNAL_LOG + "', whose settings are the journal's own");
      }
      if (log.equals(JOURNAL_LOG) && durability != Durability.NONE && journalDirectory == null) {
        throw new IllegalArgumentException(
            "journalDirectory is required when durability is " + durability);
      }
      return new WriteBehindConfiguration(this);
    }

    private static void requireBetween(String name, long value, long min, long max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
    }

    private static void requireBetween(String name, double value, double min, double max) {
      // written so that NaN fails too
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
    }

    private static void requirePositive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
    }

    private static void requireNotNegative(String name, Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero or positive, was " + value);
      }
    }
  }
}
