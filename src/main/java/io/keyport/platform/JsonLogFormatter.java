package io.keyport.platform;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object a line: {@code time} (ISO-8601, UTC), {@code level}, {@code logger}, {@code
 * message}, and where known {@code requestId}, {@code user} and {@code thrown} (the stack trace).
 * Keyport never logs a key value, so there is none to leave out here. Must be called on the thread
 * that logged, for the request id and user ({@link JsonLogHandler} does).
 */
public class JsonLogFormatter extends Formatter {

  @Override
  public String format(LogRecord record) {
    StringBuilder json = new StringBuilder(256).append('{');
    field(json, "time", Instant.ofEpochMilli(record.getMillis()).toString());
    json.append(',');
    field(json, "level", record.getLevel().getName());
    json.append(',');
    field(json, "logger", record.getLoggerName() == null ? "" : record.getLoggerName());
    json.append(',');
    field(json, "message", formatMessage(record));
    String requestId = RequestContext.requestId();
    if (requestId != null) {
      json.append(',');
      field(json, "requestId", requestId);
    }
    String user = RequestContext.user();
    if (user != null) {
      json.append(',');
      field(json, "user", user);
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      json.append(',');
      field(json, "thrown", trace.toString());
    }
    return json.append("}\n").toString();
  }

  private static void field(StringBuilder json, String name, String value) {
    json.append('"').append(name).append("\":\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
