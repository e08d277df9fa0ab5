package dev.jotter.writebehind;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A write-behind log factory named {@code recording}, registered for the tests through
 * {@code META-INF/services}: it opens the provider's own buffer from what the context gives,
 * and remembers each context, so that a test sees what a log module would get.
 */
public final class RecordingLogFactory implements WriteBehindLogFactory {
  static final List<WriteBehindLogContext<?, ?>> OPENED = new CopyOnWriteArrayList<>();

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public <K, V> WriteBehindLog<K, V> open(WriteBehindLogContext<K, V> context) {
    OPENED.add(context);
    WriteBehindBuffer<K, V> buffer = WriteBehindBuffer.<K, V>builder(context.cacheName(),
            context.settings().toBuilder().log(WriteBehindConfiguration.JOURNAL_LOG)
                .logSettings(java.util.Map.of()).build(), context.writer())
        .ticker(context.ticker()).listener(context.listener())
        .deadLetterHandler(context.deadLetterHandler()).build();
    return new WriteBehindRoute<>(buffer);
  }
}
