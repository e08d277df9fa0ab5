package dev.jotter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The starter's jar carries the metadata IDEs complete {@code jotter.*} from. */
class ConfigurationMetadataTest {

  @Test
  void theJarDescribesEveryJotterProperty() throws Exception {
    String json;
    try (InputStream in = JotterProperties.class.getClassLoader()
        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // generated from JotterProperties by spring-boot-configuration-processor ...
    assertThat(json).contains("\"name\": \"jotter.caches\"", "\"name\": \"jotter.metrics.enabled\"",
        "\"name\": \"jotter.shutdown.enabled\"", "\"name\": \"jotter.health.lag.status\"",
        "\"sourceType\": \"dev.jotter.spring.JotterProperties\"");
    // ... with the defaults and descriptions that only the additional metadata can give
    assertThat(json).containsPattern("\"name\": \"jotter.health.lag.threshold\",[^}]*"
        + "\"description\": \"Health rule 'lag'[^}]*\"defaultValue\": \"1m\"");
    assertThat(json).contains("\"name\": \"management.health.jotter.enabled\"");
  }
}
