package dev.jotter;

import dev.jotter.configuration.ConfigurationFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.NoSuchFileException;
import javax.cache.CacheException;
import org.jspecify.annotations.Nullable;

/**
 * Finds the configuration file a cache manager URI points to. {@code classpath:} URIs are resolved by
 * the manager's class loader; other URIs are opened as URLs ({@code file:}, {@code jar:}, Spring Boot's
 * {@code jar:nested:} inside a fat jar). A URI that names no readable resource — the default
 * {@code jotter:default}, a scheme no URL handler knows, a file that does not exist — opens a manager
 * with no declared caches: the URI is then only the manager's name (the TCK, and frameworks, open
 * managers by such names).
 *
 * <p>Except when the URI names a {@code .properties} file: that is a configuration file by intent, so
 * a {@code classpath:}, {@code file:} or {@code jar:} URI ending in {@code .properties} whose resource
 * does not exist fails with a {@link CacheException} naming the URI, instead of opening a manager
 * that silently lacks every declared cache.
 */
final class ConfigurationLocator {

  private static final System.Logger LOG = System.getLogger(ConfigurationLocator.class.getName());

  private ConfigurationLocator() {}

  /** Returns the declared configuration, or null if the URI points to no resource. */
  static @Nullable ConfigurationFile locate(URI uri, ClassLoader classLoader) {
    String scheme = uri.getScheme();
    if (scheme == null || scheme.equals("jotter")) {
      return null;
    }
    URL url;
    try {
      if (scheme.equals("classpath")) {
        String path = uri.getSchemeSpecificPart();
        url = classLoader.getResource(path.startsWith("/") ? path.substring(1) : path);
        if (url == null) {
          if (namesPropertiesFile(uri)) {
            throw new CacheException("Cache manager URI " + uri + " names a configuration file, but "
                + "the manager's class loader finds no resource '" + path + "' on the class path");
          }
          LOG.log(Level.WARNING, () -> "No resource " + uri + " on the class path: cache manager "
              + uri + " opens with no declared caches");
          return null;
        }
      } else {
        url = uri.toURL();
      }
    } catch (MalformedURLException | IllegalArgumentException e) {
      LOG.log(Level.DEBUG, () -> "Cache manager URI " + uri + " is a name, not a location");
      return null;
    }
    try (InputStream in = url.openStream()) {
      ConfigurationFile file = ConfigurationFile.read(uri.toString(), in, classLoader);
      LOG.log(Level.INFO, () -> "Cache manager " + uri + " declares " + file.caches().keySet());
      return file;
    } catch (FileNotFoundException | NoSuchFileException e) {
      if (namesPropertiesFile(uri)) {
        throw new CacheException("Cache manager URI " + uri + " names a configuration file that "
            + "does not exist (" + e.getMessage() + ")", e);
      }
      LOG.log(Level.WARNING, () -> "No configuration at " + uri + ": cache manager opens with no "
          + "declared caches");
      return null;
    } catch (IOException e) {
      throw new CacheException("The Jotter configuration at " + uri + " could not be read: " + e, e);
    }
  }

  /** Whether the URI's path (of a {@code jar:} URI: the entry's) ends with {@code .properties}. */
  private static boolean namesPropertiesFile(URI uri) {
    String path = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
    return path != null && path.toLowerCase(java.util.Locale.ROOT).endsWith(".properties");
  }
}
