package io.keyport.platform;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Writes each record as a JSON line to the process' standard output, formatted on the thread that
 * logged (so the request id is that request's). It writes to the file descriptor itself, not {@code
 * System.out}, which Payara turns into log records again.
 */
final class JsonLogHandler extends Handler {

  private final OutputStream out;

  JsonLogHandler() {
    this(new FileOutputStream(FileDescriptor.out));
  }

  JsonLogHandler(OutputStream out) {
    this.out = out;
    setFormatter(new JsonLogFormatter());
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    byte[] line;
    try {
      line = getFormatter().format(record).getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      reportError("A log record could not be formatted", e, ErrorManager.FORMAT_FAILURE);
      return;
    }
    synchronized (this) {
      try {
        out.write(line);
        out.flush();
      } catch (java.io.IOException e) {
        reportError(
            "Standard output refused a log line",
            new UncheckedIOException(e),
            ErrorManager.WRITE_FAILURE);
      }
    }
  }

  @Override
  public void flush() {
    try {
      out.flush();
    } catch (java.io.IOException e) {
      reportError("Standard output refused a flush", e, ErrorManager.FLUSH_FAILURE);
    }
  }

  @Override
  public void close() {
    flush();
  }
}
