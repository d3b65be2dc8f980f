package io.consumergraph.flags;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Records what one class logs, every level, as "LEVEL message" lines; for log-behaviour tests. */
final class LogCapture implements AutoCloseable {

  private final String loggerName;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);

  LogCapture(Class<?> source) {
    this.loggerName = source.getName();
    AbstractAppender appender =
        new AbstractAppender("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    LoggerConfig logger = new LoggerConfig(loggerName, Level.ALL, false);
    logger.addAppender(appender, Level.ALL, null);
    context.getConfiguration().addLogger(loggerName, logger);
    context.updateLoggers();
  }

  /** The lines logged at {@code level}. */
  List<String> at(Level level) {
    return lines.stream().filter(l -> l.startsWith(level.name() + " ")).toList();
  }

  @Override
  public void close() {
    Configuration configuration = context.getConfiguration();
    configuration.removeLogger(loggerName);
    context.updateLoggers();
  }
}
