package io.keyport.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditCsvTest {

  @Test
  void cellsThatASpreadsheetWouldRunAreDefused() {
    assertEquals("\"'=HYPERLINK(\"\"http://x\"\")\"", AuditCsv.cell("=HYPERLINK(\"http://x\")"));
    assertEquals("\"'+1\"", AuditCsv.cell("+1"));
    assertEquals("\"'-2+3\"", AuditCsv.cell("-2+3"));
    assertEquals("\"'@SUM(A1)\"", AuditCsv.cell("@SUM(A1)"));
    assertEquals("\"'\tx\"", AuditCsv.cell("\tx"));
    assertEquals("\"'\rx\"", AuditCsv.cell("\rx"));
  }

  @Test
  void ordinaryCellsAreQuotedWithQuotesDoubled() {
    assertEquals("\"admin@example.com\"", AuditCsv.cell("admin@example.com"));
    assertEquals("\"{\"\"a\"\":1}\"", AuditCsv.cell("{\"a\":1}"));
    assertEquals("\"a,b\nc\"", AuditCsv.cell("a,b\nc"));
    assertEquals("\"\"", AuditCsv.cell(null));
    assertEquals("\"\"", AuditCsv.cell(""));
  }

  @Test
  void writesAHeaderAndOneLinePerEvent() throws IOException {
    StringWriter out = new StringWriter();
    AuditCsv.write(
        List.of(
            new AuditEntry(
                7,
                Instant.parse("2026-11-28T16:30:00Z"),
                "admin@example.com",
                "user.updated",
                "user",
                "=cmd|' /C calc'!A0",
                "{\"enabled\":{\"before\":\"true\",\"after\":\"false\"}}",
                null)),
        out);

    assertEquals(
        AuditCsv.HEADER
            + "\r\n"
            + "\"7\",\"2026-11-28T16:30:00Z\",\"admin@example.com\",\"user.updated\",\"user\","
            + "\"'=cmd|' /C calc'!A0\","
            + "\"{\"\"enabled\"\":{\"\"before\"\":\"\"true\"\",\"\"after\"\":\"\"false\"\"}}\",\"\"\r\n",
        out.toString());
  }
}
