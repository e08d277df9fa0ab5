package dev.jotter.configuration;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.cache.configuration.Factory;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import dev.jotter.writebehind.DeadLetterHandler;
import org.jspecify.annotations.Nullable;

/**
 * Jotter's declarative configuration: a {@code .properties} file (no parser library needed) that a
 * cache manager URI points to, declaring caches that the manager creates when it opens.
 *
 * <pre>
 * caches = orders, sessions
 *
 * # applies to every cache unless the cache sets the key itself
 * default.statistics = true
 *
 * cache.orders.key-type = java.lang.Long
 * cache.orders.value-type = com.example.Order
 * cache.orders.maximum-size = 100000
 * cache.orders.expiry = accessed 1h
 * cache.orders.loader-factory = com.example.OrderLoaderFactory
 * cache.orders.writer-factory = com.example.OrderWriterFactory
 * cache.orders.write-behind.batch-size = 200
 * </pre>
 *
 * <p>Every key, its values and its default are listed in the README ("Configuration file"). A key that
 * is not known, a value of the wrong form or a class that cannot be loaded fails the load with an
 * {@link IllegalArgumentException} that names the file, the key and what is allowed: a typo never
 * silently falls back to a default.
 */
public final class ConfigurationFile {

  private static final String CACHES = "caches";
  private static final String CACHE_PREFIX = "cache.";
  private static final String DEFAULT_PREFIX = "default.";

  private final String source;
  private final Map<String, JotterConfiguration<Object, Object>> caches;

  private ConfigurationFile(String source, Map<String, JotterConfiguration<Object, Object>> caches) {
    this.source = source;
    this.caches = Collections.unmodifiableMap(caches);
  }

  /**
   * Reads a configuration file.
   *
   * @param source where the file came from, for messages
   * @param in the file's bytes (UTF-8); not closed
   * @param classLoader resolves the key, value and factory classes
   * @return the declared caches
   * @throws IllegalArgumentException if the file declares something wrong; the message says where
   * @throws IOException if the file cannot be read
   */
  public static ConfigurationFile read(String source, InputStream in, ClassLoader classLoader)
      throws IOException {
    Properties properties = new Properties();
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8) {
      @Override
      public void close() {
        // the caller owns the stream
      }
    }) {
      properties.load(reader);
    }
    return parse(source, properties, classLoader);
  }

  /**
   * Builds the declared configurations from properties already loaded.
   *
   * @param source where the properties came from, for messages
   * @param properties the file's keys and values
   * @param classLoader resolves the key, value and factory classes
   * @return the declared caches
   * @throws IllegalArgumentException if the properties declare something wrong, naming the key
   */
  public static ConfigurationFile parse(String source, Properties properties, ClassLoader classLoader) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      entries.put(name, properties.getProperty(name).trim());
    }
    Set<String> used = new LinkedHashSet<>();
    Map<String, JotterConfiguration<Object, Object>> caches = new LinkedHashMap<>();
    String declared = entries.get(CACHES);
    used.add(CACHES);
    if (declared != null) {
      for (String name : declared.split(",")) {
        String cacheName = name.trim();
        if (cacheName.isEmpty()) {
          continue;
        }
        if (caches.containsKey(cacheName)) {
          throw new IllegalArgumentException(source + ": cache '" + cacheName
              + "' is listed twice in '" + CACHES + "'");
        }
        CacheKeys keys = new CacheKeys(source, cacheName, entries, used, classLoader);
        caches.put(cacheName, keys.build());
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String key : entries.keySet()) {
      if (!used.contains(key) && !key.startsWith(DEFAULT_PREFIX)) {
        unknown.add(key);
      }
    }
    // the settings of a log other than the journal pass through: write-behind.<log>.<setting>
    Set<String> logs = new TreeSet<>();
    entries.forEach((key, value) -> {
      if (key.endsWith("." + CacheKeys.WRITE_BEHIND + ".log")
          && !value.trim().equals(WriteBehindConfiguration.JOURNAL_LOG)) {
        logs.add(value.trim());
      }
    });
    for (String key : entries.keySet()) {
      if (key.startsWith(DEFAULT_PREFIX)
          && !CacheKeys.isKnown(key.substring(DEFAULT_PREFIX.length()), logs)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> described = new ArrayList<>();
      for (String key : unknown) {
        String unlisted = unlistedCache(key, caches.keySet());
        String suggestion = suggest(key, caches.keySet());
        described.add("'" + key + "'" + (unlisted != null
            ? " (cache '" + unlisted + "' is not listed in '" + CACHES + "')"
            : suggestion != null ? " (did you mean '" + suggestion + "'?)" : ""));
      }
      throw new IllegalArgumentException(source + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", described) + "; a cache's keys are 'cache.<name>.<key>' for a cache "
          + "listed in '" + CACHES + "', or 'default.<key>', with <key> one of "
          + new TreeSet<>(CacheKeys.KNOWN) + " or write-behind.<setting>, <setting> one of "
          + new TreeSet<>(CacheKeys.WRITE_BEHIND_KEYS));
    }
    return new ConfigurationFile(source, caches);
  }

  /**
   * Returns the known key closest to a mistyped one, or null if none is close: every key the file
   * could hold ({@code caches}, {@code default.<key>}, {@code cache.<listed name>.<key>}) compared by
   * edit distance, ignoring case, {@code -} and {@code _} (so {@code write-behind.batchSize} finds
   * {@code write-behind.batch-size}).
   */
  static @Nullable String suggest(String key, Set<String> cacheNames) {
    List<String> keys = new ArrayList<>();
    for (String known : new TreeSet<>(CacheKeys.KNOWN)) {
      keys.add(known);
    }
    for (String setting : new TreeSet<>(CacheKeys.WRITE_BEHIND_KEYS)) {
      keys.add(CacheKeys.WRITE_BEHIND + "." + setting);
    }
    List<String> candidates = new ArrayList<>();
    candidates.add(CACHES);
    for (String known : keys) {
      candidates.add(DEFAULT_PREFIX + known);
    }
    for (String cacheName : cacheNames) {
      for (String known : keys) {
        candidates.add(CACHE_PREFIX + cacheName + "." + known);
      }
    }
    String typed = normalize(key);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = editDistance(typed, normalize(candidate));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    // close means a few typos, and never most of the key: "cache.a.x" suggests nothing
    return (best != null && bestDistance <= Math.min(3, normalize(best).length() / 4)) ? best : null;
  }

  /** The name in a well-formed {@code cache.<name>.<known key>} whose name is not listed, or null. */
  private static @Nullable String unlistedCache(String key, Set<String> cacheNames) {
    if (!key.startsWith(CACHE_PREFIX)) {
      return null;
    }
    for (String known : CacheKeys.KNOWN) {
      String suffix = "." + known;
      if (key.endsWith(suffix) && key.length() > CACHE_PREFIX.length() + suffix.length()) {
        String name = key.substring(CACHE_PREFIX.length(), key.length() - suffix.length());
        return cacheNames.contains(name) ? null : name;
      }
    }
    for (String setting : CacheKeys.WRITE_BEHIND_KEYS) {
      String suffix = "." + CacheKeys.WRITE_BEHIND + "." + setting;
      if (key.endsWith(suffix) && key.length() > CACHE_PREFIX.length() + suffix.length()) {
        String name = key.substring(CACHE_PREFIX.length(), key.length() - suffix.length());
        return cacheNames.contains(name) ? null : name;
      }
    }
    return null;
  }

  private static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }

  /** The Levenshtein distance: insertions, deletions and substitutions of one character. */
  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * Returns where the file came from.
   *
   * @return the source given to {@link #read} or {@link #parse}
   */
  public String source() {
    return source;
  }

  /** {@return the declared caches, by name, in the order of the {@code caches} list} */
  public Map<String, JotterConfiguration<Object, Object>> caches() {
    return caches;
  }

  /**
   * Parses a duration: ISO-8601 ({@code PT10M}) or a number with a unit ({@code 250ms}, {@code 5s},
   * {@code 10m}, {@code 1h}, {@code 2d}).
   *
   * @param setting the setting the text is for, for the message
   * @param text the duration's text
   * @return the duration
   * @throws IllegalArgumentException naming the setting and the accepted forms
   */
  public static Duration parseDuration(String setting, String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (value.startsWith("p")) {
        return Duration.parse(text.trim());
      }
      int unitStart = 0;
      while (unitStart < value.length() && Character.isDigit(value.charAt(unitStart))) {
        unitStart++;
      }
      long amount = Long.parseLong(value.substring(0, unitStart));
      switch (value.substring(unitStart).trim()) {
        case "ns":
          return Duration.ofNanos(amount);
        case "us":
          return Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(amount));
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        case "d":
          return Duration.ofDays(amount);
        default:
          throw new NumberFormatException("unit");
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(setting + " must be a duration such as 250ms, 5s, 10m, 1h, "
          + "2d or PT10M, was '" + text + "'", e);
    }
  }

  /** The keys of one cache, each looked up as {@code cache.<name>.<key>}, then {@code default.<key>}. */
  static final class CacheKeys {
    static final String WRITE_BEHIND = "write-behind";
    static final Set<String> KNOWN = Set.of("key-type", "value-type", "store-by-value", "statistics",
        "management", "maximum-size", "expiry", "loader-factory", "read-through", "writer-factory",
        "write-through", "copy-filter", "write-behind", "dead-letter-handler-factory",
        "journal-allow-list");
    /** The keys under {@code write-behind.}, each a setting of {@link WriteBehindConfiguration}. */
    static final Set<String> WRITE_BEHIND_KEYS = Set.of("batch-size", "max-write-delay", "coalescing",
        "max-pending-operations", "overflow-policy", "block-timeout", "flusher-threads",
        "max-attempts", "max-retry-time", "initial-backoff", "max-backoff", "backoff-multiplier",
        "jitter", "drain-timeout", "max-dead-letters", "durability", "journal-directory",
        "sync-interval", "log");

    private final String source;
    private final String name;
    private final Map<String, String> entries;
    private final Set<String> used;
    private final ClassLoader classLoader;

    CacheKeys(String source, String name, Map<String, String> entries, Set<String> used,
        ClassLoader classLoader) {
      this.source = source;
      this.name = name;
      this.entries = entries;
      this.used = used;
      this.classLoader = classLoader;
    }

    static boolean isKnown(String key, Set<String> logs) {
      return KNOWN.contains(key) || (key.startsWith(WRITE_BEHIND + ".")
          && WRITE_BEHIND_KEYS.contains(key.substring(WRITE_BEHIND.length() + 1)))
          || logs.stream().anyMatch(log -> key.startsWith(WRITE_BEHIND + "." + log + "."));
    }

    JotterConfiguration<Object, Object> build() {
      JotterConfiguration<Object, Object> config = new JotterConfiguration<>();
      @SuppressWarnings("unchecked")
      Class<Object> keyType = (Class<Object>) get("key-type", this::loadClass, Object.class);
      @SuppressWarnings("unchecked")
      Class<Object> valueType = (Class<Object>) get("value-type", this::loadClass, Object.class);
      config.setTypes(keyType, valueType);
      config.setStoreByValue(get("store-by-value", this::bool, true));
      config.setStatisticsEnabled(get("statistics", this::bool, false));
      config.setManagementEnabled(get("management", this::bool, false));
      Long maximumSize = find("maximum-size", this::nonNegativeLong);
      if (maximumSize != null) {
        config.setMaximumSize(maximumSize);
      }
      config.setExpiryPolicyFactory(get("expiry", this::expiry, EternalExpiryPolicy.factoryOf()));
      Factory<CacheLoader<Object, Object>> loader = find("loader-factory", this::factory);
      config.setCacheLoaderFactory(loader);
      config.setReadThrough(get("read-through", this::bool, loader != null));
      Factory<CacheWriter<Object, Object>> writer = find("writer-factory", this::factory);
      config.setCacheWriterFactory(writer);
      config.setWriteThrough(get("write-through", this::bool, writer != null));
      config.setCopyFilter(find("copy-filter", Function.identity()));
      config.setWriteBehind(writeBehind());
      Factory<DeadLetterHandler<Object, Object>> deadLetters =
          find("dead-letter-handler-factory", this::factory);
      config.setDeadLetterHandlerFactory(deadLetters);
      config.setJournalAllowList(find("journal-allow-list", Function.identity()));
      try {
        config.validate();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": cache '" + name + "': " + e.getMessage(), e);
      }
      return config;
    }

    /**
     * Returns the write-behind settings: present when {@code write-behind = true} or any
     * {@code write-behind.*} key is set (for the cache or as a default), unless
     * {@code write-behind = false}.
     */
    private @Nullable WriteBehindConfiguration writeBehind() {
      Boolean enabled = find(WRITE_BEHIND, this::bool);
      WriteBehindConfiguration.Builder builder = WriteBehindConfiguration.builder();
      boolean any = false;
      for (String key : new TreeSet<>(WRITE_BEHIND_KEYS)) {
        String text = find(WRITE_BEHIND + "." + key, Function.identity());
        if (text != null) {
          any = true;
          applyWriteBehind(builder, key, text);
        }
      }
      String log = get(WRITE_BEHIND + ".log", String::trim, WriteBehindConfiguration.JOURNAL_LOG);
      if (!log.equals(WriteBehindConfiguration.JOURNAL_LOG)) {
        // default.write-behind.<log>.* first, so that the cache's own keys win
        String prefix = WRITE_BEHIND + "." + log + ".";
        for (String scope : List.of(DEFAULT_PREFIX, CACHE_PREFIX + name + ".")) {
          entries.forEach((key, value) -> {
            if (key.startsWith(scope + prefix)) {
              used.add(key);
              builder.logSetting(key.substring((scope + prefix).length()), value.trim());
            }
          });
        }
      }
      if (Boolean.FALSE.equals(enabled) || (!any && !Boolean.TRUE.equals(enabled))) {
        return null;
      }
      try {
        return builder.build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": cache '" + name + "': write-behind: "
            + e.getMessage(), e);
      }
    }

    private void applyWriteBehind(WriteBehindConfiguration.Builder builder, String key, String text) {
      String setting = WRITE_BEHIND + "." + key;
      try {
        switch (key) {
          case "log":
            builder.log(text.trim());
            break;
          case "batch-size":
            builder.batchSize(Math.toIntExact(nonNegativeLong(text)));
            break;
          case "max-write-delay":
            builder.maxWriteDelay(parseDuration(setting, text));
            break;
          case "coalescing":
            builder.coalescing(bool(text));
            break;
          case "max-pending-operations":
            builder.maxPendingOperations(Math.toIntExact(nonNegativeLong(text)));
            break;
          case "overflow-policy":
            builder.overflowPolicy(enumValue(OverflowPolicy.class, text));
            break;
          case "block-timeout":
            builder.blockTimeout(parseDuration(setting, text));
            break;
          case "flusher-threads":
            builder.flusherThreads(Math.toIntExact(nonNegativeLong(text)));
            break;
          case "max-attempts":
            builder.maxAttempts(Math.toIntExact(nonNegativeLong(text)));
            break;
          case "max-retry-time":
            builder.maxRetryTime(parseDuration(setting, text));
            break;
          case "initial-backoff":
            builder.initialBackoff(parseDuration(setting, text));
            break;
          case "max-backoff":
            builder.maxBackoff(parseDuration(setting, text));
            break;
          case "backoff-multiplier":
            builder.backoffMultiplier(decimal(text));
            break;
          case "jitter":
            builder.jitter(decimal(text));
            break;
          case "drain-timeout":
            builder.drainTimeout(parseDuration(setting, text));
            break;
          case "max-dead-letters":
            builder.maxDeadLetters(Math.toIntExact(nonNegativeLong(text)));
            break;
          case "durability":
            builder.durability(enumValue(Durability.class, text));
            break;
          case "journal-directory":
            builder.journalDirectory(Path.of(text));
            break;
          case "sync-interval":
            builder.syncInterval(parseDuration(setting, text));
            break;
          default:
            throw new AssertionError(key);
        }
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new IllegalArgumentException(source + ": " + setting + " (cache '" + name + "'): "
            + e.getMessage(), e);
      }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text) {
      for (E constant : type.getEnumConstants()) {
        if (constant.name().replace('_', '-').equalsIgnoreCase(text.trim())
            || constant.name().equalsIgnoreCase(text.trim())) {
          return constant;
        }
      }
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new IllegalArgumentException("must be one of " + allowed + ", was '" + text + "'");
    }

    private static double decimal(String text) {
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a decimal number, was '" + text + "'", e);
      }
    }

    /** The cache's setting {@code key}, else the default one, parsed; else {@code fallback}. */
    private <T> T get(String key, Function<String, T> parser, T fallback) {
      T value = find(key, parser);
      return (value == null) ? fallback : value;
    }

    /** Like {@link #get}, without a fallback: null if neither the cache nor the default sets it. */
    private <T> @Nullable T find(String key, Function<String, T> parser) {
      String own = CACHE_PREFIX + name + "." + key;
      String shared = DEFAULT_PREFIX + key;
      used.add(own);
      String setting = entries.containsKey(own) ? own : shared;
      String text = entries.get(setting);
      if (text == null) {
        return null;
      }
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": " + setting + ": " + e.getMessage(), e);
      }
    }

    private Class<?> loadClass(String className) {
      try {
        return Class.forName(className, false, classLoader);
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("class " + className + " is not visible to the cache "
            + "manager's class loader", e);
      }
    }

    /**
     * Instantiates a named {@link Factory}: the file names the factory class, and the cache asks the
     * factory for its loader, writer or handler. (Whether the product has the right type is only
     * known once the factory creates it; the cache reports it then.)
     */
    @SuppressWarnings("unchecked")
    private <T> Factory<T> factory(String className) {
      Class<?> type = loadClass(className);
      if (!Factory.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException(className + " must implement "
            + Factory.class.getName() + " (and have a public no-argument constructor)");
      }
      try {
        return (Factory<T>) type.getConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException(className + " needs a public no-argument constructor "
            + "that does not throw (" + e + ")", e);
      }
    }

    private boolean bool(String text) {
      if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(text);
      }
      throw new IllegalArgumentException("must be true or false, was '" + text + "'");
    }

    private Long nonNegativeLong(String text) {
      try {
        long value = Long.parseLong(text.replace("_", ""));
        if (value >= 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below with the accepted form
      }
      throw new IllegalArgumentException("must be a whole number, 0 or more, was '" + text + "'");
    }

    private Factory<ExpiryPolicy> expiry(String text) {
      String[] parts = text.trim().split("\\s+");
      if (parts.length == 1 && parts[0].equalsIgnoreCase("eternal")) {
        return EternalExpiryPolicy.factoryOf();
      }
      if (parts.length == 2) {
        Duration duration = parseDuration("expiry", parts[1]);
        javax.cache.expiry.Duration jcache =
            new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, Math.max(1, duration.toMillis()));
        switch (parts[0].toLowerCase(Locale.ROOT)) {
          case "created":
            return CreatedExpiryPolicy.factoryOf(jcache);
          case "accessed":
            return AccessedExpiryPolicy.factoryOf(jcache);
          case "modified":
            return ModifiedExpiryPolicy.factoryOf(jcache);
          case "touched":
            return TouchedExpiryPolicy.factoryOf(jcache);
          default:
            break;
        }
      }
      throw new IllegalArgumentException("must be 'eternal' or one of created, accessed, modified, "
          + "touched followed by a duration (e.g. 'accessed 10m'), was '" + text + "'");
    }
  }
}
