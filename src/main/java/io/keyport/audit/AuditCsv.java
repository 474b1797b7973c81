package io.keyport.audit;

import java.io.IOException;
import java.io.Writer;
import java.time.format.DateTimeFormatter;

/**
 * Audit events as CSV (RFC 4180, every cell quoted), safe to open in a spreadsheet: a cell that
 * starts with {@code = + - @}, a tab or a carriage return, which spreadsheets run as a formula, is
 * written with a leading {@code '} (OWASP's advice against CSV injection).
 */
public final class AuditCsv {

  static final String HEADER =
      "id,occurredAt,actor,action,targetType,targetId,details,clientAddress";

  private AuditCsv() {}

  public static void write(Iterable<AuditEntry> entries, Writer out) throws IOException {
    out.write(HEADER);
    out.write("\r\n");
    for (AuditEntry entry : entries) {
      out.write(cell(Long.toString(entry.id())));
      out.write(',');
      out.write(cell(DateTimeFormatter.ISO_INSTANT.format(entry.occurredAt())));
      out.write(',');
      out.write(cell(entry.actor()));
      out.write(',');
      out.write(cell(entry.action()));
      out.write(',');
      out.write(cell(entry.targetType()));
      out.write(',');
      out.write(cell(entry.targetId()));
      out.write(',');
      out.write(cell(entry.details()));
      out.write(',');
      out.write(cell(entry.clientAddress()));
      out.write("\r\n");
    }
  }

  static String cell(String value) {
    if (value == null || value.isEmpty()) {
      return "\"\"";
    }
    String safe =
        switch (value.charAt(0)) {
          case '=', '+', '-', '@', '\t', '\r' -> "'" + value;
          default -> value;
        };
    return '"' + safe.replace("\"", "\"\"") + '"';
  }
}
