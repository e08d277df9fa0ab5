package dev.jotter.kafka;

import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/** Creates {@link RecordingWriter}s, for caches declared in a configuration file. */
public final class RecordingWriterFactory implements Factory<CacheWriter<String, String>> {
  private static final long serialVersionUID = 1L;

  @Override
  public CacheWriter<String, String> create() {
    return new RecordingWriter();
  }
}
