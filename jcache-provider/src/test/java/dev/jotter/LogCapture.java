package dev.jotter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what one logger (System.Logger, backed by java.util.logging in tests) publishes while
 * it is open; the tests' logging.properties turns output off, this turns one logger back on.
 */
public final class LogCapture implements AutoCloseable {
  /** Strongly held: java.util.logging forgets the level of a logger nobody references. */
  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousUseParent;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture(String name) {
    logger = Logger.getLogger(name);
    previousLevel = logger.getLevel();
    previousUseParent = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  /**
   * Starts capturing the logger named after {@code type}.
   *
   * @param type the class whose name the logger has
   * @return the capture; close it to restore the logger
   */
  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  /**
   * Returns the formatted messages logged at {@code level} that start with {@code prefix}.
   *
   * @param level  the level
   * @param prefix the start of the message
   * @return the messages, in the order they were logged
   */
  public List<String> messages(Level level, String prefix) {
    java.util.logging.SimpleFormatter formatter = new java.util.logging.SimpleFormatter();
    return records.stream().filter(r -> r.getLevel().equals(level))
        .map(formatter::formatMessage).filter(m -> m.startsWith(prefix)).toList();
  }

  /**
   * Returns the records captured so far and later: a live view.
   *
   * @return the records, in the order they were logged
   */
  public List<LogRecord> records() {
    return records;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previousLevel);
    logger.setUseParentHandlers(previousUseParent);
  }
}
