package dev.jotter.writebehind;

import dev.jotter.configuration.WriteBehindConfiguration;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A write-behind log factory named {@code recording}, registered for the tests through
 * {@code META-INF/services}: it opens the provider's own buffer from what the context gives,
 * and remembers each context and the local copy the cache attaches to the log, so that a test sees what a log module would get.
 */
public final class RecordingLogFactory implements WriteBehindLogFactory {
  static final List<WriteBehindLogContext<?, ?>> OPENED = new CopyOnWriteArrayList<>();
  /** The local copy each opened log was handed, in the order the caches were built. */
  static final List<LocalCopy<?, ?>> ATTACHED = new CopyOnWriteArrayList<>();

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
    WriteBehindLog<K, V> route = new WriteBehindRoute<>(buffer);
    // the route as a log module would be: it keeps the local copy the cache attaches
    @SuppressWarnings("unchecked")
    WriteBehindLog<K, V> log = (WriteBehindLog<K, V>) Proxy.newProxyInstance(
        WriteBehindLog.class.getClassLoader(), new Class<?>[] {WriteBehindLog.class},
        (proxy, method, args) -> {
          if (method.getName().equals("attach")) {
            ATTACHED.add((LocalCopy<?, ?>) args[0]);
            return null;
          }
          try {
            return method.invoke(route, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return log;
  }
}
