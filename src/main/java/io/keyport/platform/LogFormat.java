package io.keyport.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code keyport.log.format}: {@code text} (default) leaves Payara's log format alone; {@code json}
 * replaces the root logger's handlers by one that writes a JSON object a line to standard output,
 * what a container platform's log collector reads.
 */
@ApplicationScoped
public class LogFormat {

  @Inject
  @ConfigProperty(name = "keyport.log.format", defaultValue = "text")
  String format;

  /** Applies the configured format; called first at start-up. */
  public void apply() {
    switch (format) {
      case "text" -> {
        // Payara's own format
      }
      case "json" -> {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
          if (handler instanceof JsonLogHandler) {
            return;
          }
        }
        for (Handler handler : root.getHandlers()) {
          root.removeHandler(handler);
        }
        root.addHandler(new JsonLogHandler());
      }
      default ->
          throw new IllegalStateException(
              "keyport.log.format must be text or json, not '" + format + "'");
    }
  }
}
