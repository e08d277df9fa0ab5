package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jotter.metrics.SyncDelays;
import dev.jotter.spring.actuate.WriteBehindHealth;
import dev.jotter.writebehind.WriteBehindStatistics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health rules, on figures made up for each case. */
class WriteBehindHealthTest {

  private static final SyncDelays.Snapshot DELAY = new SyncDelays.Snapshot(10,
      Duration.ofMillis(120), Duration.ofMillis(900), Duration.ofSeconds(1));

  private final JotterProperties properties = new JotterProperties();
  private final WriteBehindHealth health = new WriteBehindHealth(properties.getHealth());

  private static WriteBehindStatistics stats(long pending, Duration lag, long deadLetters,
      Duration failing) {
    return new WriteBehindStatistics(pending, lag, 0, 100, 10, 10, 0, 0, deadLetters, 0, 0,
        deadLetters, 0, 0, failing);
  }

  @Test
  void aCacheThatKeepsUpIsUp() {
    WriteBehindHealth.Result result = health.check(stats(3, Duration.ofMillis(200), 0,
        Duration.ZERO), DELAY);
    assertThat(result.status()).isEqualTo("UP");
    assertThat(result.details()).containsEntry("pending", 3L).containsEntry("lag", "PT0.2S")
        .containsEntry("writerFailingFor", "PT0S").containsEntry("deadLetters", 0L)
        .containsEntry("syncDelayP50", "PT0.12S").containsEntry("syncDelayP99", "PT0.9S")
        .doesNotContainKey("reasons");
  }

  @Test
  void lagBeyondItsThresholdDegrades() {
    WriteBehindHealth.Result result = health.check(stats(3, Duration.ofSeconds(61), 0,
        Duration.ZERO), DELAY);
    assertThat(result.status()).isEqualTo("DEGRADED");
    assertThat((List<Object>) result.details().get("reasons"))
        .containsExactly("lag PT1M1S > PT1M: DEGRADED");
    assertThat(health.check(stats(3, Duration.ofSeconds(60), 0, Duration.ZERO), DELAY).status())
        .isEqualTo("UP");
  }

  @Test
  void aWriterFailingTooLongIsDownAndWinsOverDegraded() {
    WriteBehindHealth.Result result = health.check(stats(50, Duration.ofMinutes(2), 4,
        Duration.ofMinutes(2)), DELAY);
    assertThat(result.status()).isEqualTo("DOWN");
    assertThat((List<Object>) result.details().get("reasons")).containsExactly(
        "writer failing for PT2M > PT1M: DOWN", "lag PT2M > PT1M: DEGRADED",
        "dead letters 4 >= 1: DEGRADED");
  }

  @Test
  void aWriterFailingWithNothingPendingIsNotCounted() {
    // a poison row, dead-lettered: Jotter's writerFailingFor runs on, but nothing waits
    WriteBehindHealth.Result result = health.check(stats(0, Duration.ZERO, 1,
        Duration.ofHours(2)), DELAY);
    assertThat(result.status()).isEqualTo("DEGRADED");
    assertThat(result.details()).containsEntry("writerFailingFor", "PT0S");
    assertThat((List<Object>) result.details().get("reasons"))
        .containsExactly("dead letters 1 >= 1: DEGRADED");
  }

  @Test
  void rulesAreConfigurable() {
    properties.getHealth().getDeadLetters().setStatus("UP"); // off
    properties.getHealth().getLag().setStatus("out_of_service");
    properties.getHealth().getLag().setThreshold(Duration.ofSeconds(1));
    properties.getHealth().getPending().setThreshold(10L);
    properties.getHealth().getWriterFailing().setThreshold(null); // off
    WriteBehindHealth.Result result = health.check(stats(10, Duration.ofSeconds(2), 5,
        Duration.ofHours(1)), DELAY);
    assertThat(result.status()).isEqualTo("OUT_OF_SERVICE");
    assertThat((List<Object>) result.details().get("reasons")).containsExactly(
        "lag PT2S > PT1S: OUT_OF_SERVICE", "pending operations 10 >= 10: DEGRADED");
  }
}
