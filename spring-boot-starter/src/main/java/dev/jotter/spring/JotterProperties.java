package dev.jotter.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.SmartLifecycle;

/**
 * The {@code jotter.*} settings of the Spring Boot starter. The caches themselves are configured in
 * Jotter's configuration file ({@code spring.cache.jcache.config}); these settings say how Spring
 * works with them.
 */
@ConfigurationProperties("jotter")
public class JotterProperties {

  /**
   * Per cache (by name): the Spring beans behind BeanWriterFactory and BeanLoaderFactory. A cache
   * name with dots needs brackets: jotter.caches[my.cache].writer-bean.
   */
  private Map<String, CacheBeans> caches = new LinkedHashMap<>();

  private final Health health = new Health();

  private final Metrics metrics = new Metrics();

  private final Shutdown shutdown = new Shutdown();

  public Map<String, CacheBeans> getCaches() {
    return caches;
  }

  public void setCaches(Map<String, CacheBeans> caches) {
    this.caches = caches;
  }

  public Health getHealth() {
    return health;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Shutdown getShutdown() {
    return shutdown;
  }

  /** The beans of one cache. */
  public static class CacheBeans {

    /**
     * Name of the CacheWriter bean of the cache, when its writer-factory is
     * dev.jotter.spring.BeanWriterFactory. Unset: the only CacheWriter bean whose key and value
     * types fit the cache's.
     */
    private String writerBean;

    /**
     * Name of the CacheLoader bean of the cache, when its loader-factory is
     * dev.jotter.spring.BeanLoaderFactory. Unset: the only CacheLoader bean whose types fit.
     */
    private String loaderBean;

    public String getWriterBean() {
      return writerBean;
    }

    public void setWriterBean(String writerBean) {
      this.writerBean = writerBean;
    }

    public String getLoaderBean() {
      return loaderBean;
    }

    public void setLoaderBean(String loaderBean) {
      this.loaderBean = loaderBean;
    }
  }

  /**
   * The health of each write-behind cache: UP unless a rule below fires; the most severe status of
   * the rules that fire wins (DOWN, then OUT_OF_SERVICE, then any other status such as DEGRADED).
   * Setting a rule's status to UP switches the rule off.
   */
  public static class Health {

    private final DurationRule lag = new DurationRule(Duration.ofMinutes(1), "DEGRADED");

    private final DurationRule writerFailing = new DurationRule(Duration.ofMinutes(1), "DOWN");

    private final CountRule deadLetters = new CountRule(1L, "DEGRADED");

    private final CountRule pending = new CountRule(null, "DEGRADED");

    /**
     * The age of the oldest pending operation (how far the database is behind the cache): the
     * rule fires when it is longer than the threshold.
     */
    public DurationRule getLag() {
      return lag;
    }

    /**
     * How long writer calls have written nothing (the database is down or refuses every write):
     * the rule fires when it is longer than the threshold.
     */
    public DurationRule getWriterFailing() {
      return writerFailing;
    }

    /**
     * Dead letters kept (writes whose retries are spent, waiting for an operator): the rule fires
     * when there are at least threshold.
     */
    public CountRule getDeadLetters() {
      return deadLetters;
    }

    /**
     * Pending operations (written to the cache, not yet to the database): the rule fires when there
     * are at least threshold. Off unless a threshold is set.
     */
    public CountRule getPending() {
      return pending;
    }
  }

  /** A health rule on a duration. */
  public static class DurationRule {

    /** The rule fires when the duration is longer than this. Unset: the rule is off. */
    private Duration threshold;

    /**
     * The health status when the rule fires: DOWN, OUT_OF_SERVICE, DEGRADED (the starter ranks it
     * below OUT_OF_SERVICE, see management.endpoint.health.status.order) or any other code.
     */
    private String status;

    public DurationRule() {}

    DurationRule(Duration threshold, String status) {
      this.threshold = threshold;
      this.status = status;
    }

    public Duration getThreshold() {
      return threshold;
    }

    public void setThreshold(Duration threshold) {
      this.threshold = threshold;
    }

    public String getStatus() {
      return status;
    }

    public void setStatus(String status) {
      this.status = status;
    }
  }

  /** A health rule on a count. */
  public static class CountRule {

    /** The rule fires when the count is at least this. Unset: the rule is off. */
    private Long threshold;

    /**
     * The health status when the rule fires: DOWN, OUT_OF_SERVICE, DEGRADED (the starter ranks it
     * below OUT_OF_SERVICE, see management.endpoint.health.status.order) or any other code.
     */
    private String status;

    public CountRule() {}

    CountRule(Long threshold, String status) {
      this.threshold = threshold;
      this.status = status;
    }

    public Long getThreshold() {
      return threshold;
    }

    public void setThreshold(Long threshold) {
      this.threshold = threshold;
    }

    public String getStatus() {
      return status;
    }

    public void setStatus(String status) {
      this.status = status;
    }
  }

  /** Jotter's meters in the application's MeterRegistry. */
  public static class Metrics {

    /**
     * Whether to bind the write-behind meters (cache.writebehind.*) of the context's caches, tagged
     * cache and cache.manager (the cache manager's bean name, as Spring's cache meters are).
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** How the write-behind caches close with the application context. */
  public static class Shutdown {

    /** The phase after which the web server has stopped: Boot's graceful shutdown phases end here. */
    static final int DEFAULT_PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    /**
     * Whether the write-behind caches drain (within their drain timeout) and close while the
     * context stops, before any bean is destroyed (the DataSource, the writer beans) and before
     * logging shuts down, so that the report of anything unwritten reaches the log.
     */
    private boolean enabled = true;

    /**
     * The SmartLifecycle phase of that drain: lifecycle beans of higher phases stop first. The
     * default stops after the web server (graceful shutdown included) and before lifecycle beans of
     * lower phases.
     */
    private int phase = DEFAULT_PHASE;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getPhase() {
      return phase;
    }

    public void setPhase(int phase) {
      this.phase = phase;
    }
  }
}
