package dev.jotter.spring;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps Jotter's close reports in the application's log during JVM shutdown.
 *
 * <p>Jotter logs through {@code System.Logger}, which the JDK backs with {@code java.util.logging};
 * Spring Boot bridges that to its logging system. But the JDK resets {@code java.util.logging} in a
 * shutdown hook of its own, which runs at the same time as Spring Boot's: by the time the context
 * stops, the bridge is gone and a report of lost writes would reach only standard error. While the
 * write-behind caches close, this forwards Jotter's records (INFO and above, logger {@code
 * dev.jotter}) to Spring's logging (commons-logging, so Logback or Log4j 2 as configured), which
 * Spring Boot shuts down only after the context has closed.
 *
 * <p>It forwards only when {@code java.util.logging} has no root handler left (it was reset): with
 * a bridge or a console handler in place, the records are reported already.
 */
final class JotterLogForwarding implements AutoCloseable {

  private static final AutoCloseable NOTHING = () -> {};

  // strong references: java.util.logging keeps its loggers weakly
  private final Logger jotter;
  private final Handler handler;

  private JotterLogForwarding(Logger jotter, Handler handler) {
    this.jotter = jotter;
    this.handler = handler;
  }

  /** Starts forwarding if {@code java.util.logging} has been reset; close to stop. */
  static AutoCloseable startIfReset() {
    if (Logger.getLogger("").getHandlers().length > 0) {
      return NOTHING;
    }
    Logger jotter = Logger.getLogger("dev.jotter");
    Handler handler = new ToCommonsLogging();
    handler.setLevel(Level.INFO);
    jotter.addHandler(handler);
    return new JotterLogForwarding(jotter, handler);
  }

  @Override
  public void close() {
    jotter.removeHandler(handler);
  }

  /** One record to the commons-logging log of the same name. */
  private static final class ToCommonsLogging extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      if (!isLoggable(record)) {
        return;
      }
      Log log = LogFactory.getLog(record.getLoggerName());
      String message = formatter.formatMessage(record);
      Throwable thrown = record.getThrown();
      int level = record.getLevel().intValue();
      if (level >= Level.SEVERE.intValue()) {
        log.error(message, thrown);
      } else if (level >= Level.WARNING.intValue()) {
        log.warn(message, thrown);
      } else {
        log.info(message, thrown);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
