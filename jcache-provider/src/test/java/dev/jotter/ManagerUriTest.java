package dev.jotter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jotter.spi.JotterCachingProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manager URI that names a {@code .properties} file which does not exist fails, naming the URI; any
 * other URI that points nowhere still only names the manager (the TCK and frameworks open managers by
 * such names). Regression: a mistyped configuration path opened a manager without its caches, with
 * only a WARNING in the log.
 */
class ManagerUriTest {

  private final JotterCachingProvider provider = new JotterCachingProvider();

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private CacheManager open(URI uri) {
    return provider.getCacheManager(uri, getClass().getClassLoader());
  }

  @Test
  void aMissingPropertiesFileFailsNamingTheUri(@TempDir Path dir) throws Exception {
    URI uri = dir.resolve("jotter.properties").toUri();
    CacheException e = assertThrows(CacheException.class, () -> open(uri));
    assertTrue(e.getMessage().contains(uri.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

    // nothing half-open is kept: once the file exists, the same URI opens with its caches
    Files.writeString(dir.resolve("jotter.properties"), "caches = c\n");
    assertEquals(List.of("c"), List.copyOf(toList(open(uri).getCacheNames())));
  }

  @Test
  void aMissingClassPathPropertiesResourceFailsNamingTheUri() {
    URI uri = URI.create("classpath:no-such-jotter-config.properties");
    CacheException e = assertThrows(CacheException.class, () -> open(uri));
    assertTrue(e.getMessage().contains("classpath:no-such-jotter-config.properties"), e.getMessage());
    assertTrue(e.getMessage().contains("class path"), e.getMessage());
  }

  @Test
  void aPropertiesEntryOfAMissingJarFailsNamingTheUri(@TempDir Path dir) {
    URI uri = URI.create("jar:" + dir.resolve("missing.jar").toUri() + "!/jotter.properties");
    CacheException e = assertThrows(CacheException.class, () -> open(uri));
    assertTrue(e.getMessage().contains(uri.toString()), e.getMessage());
  }

  @Test
  void urisThatAreNotPropertiesFilesStillOnlyNameTheManager(@TempDir Path dir) {
    for (URI uri : List.of(provider.getDefaultURI(), URI.create("jotter:orders"),
        URI.create("test:a.properties"), URI.create("classpath:no-such-resource"),
        dir.resolve("no-such-file").toUri(), URI.create("urn:x-jotter:orders"))) {
      CacheManager manager = open(uri);
      assertEquals(uri, manager.getURI());
      assertEquals(List.of(), toList(manager.getCacheNames()), uri.toString());
    }
  }

  private static List<String> toList(Iterable<String> names) {
    List<String> list = new java.util.ArrayList<>();
    names.forEach(list::add);
    return list;
  }
}
