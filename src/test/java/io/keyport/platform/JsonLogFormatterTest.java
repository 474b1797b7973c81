package io.keyport.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {

  @Test
  void writesOneJsonObjectALineWhateverTheMessageHolds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLogHandler handler = new JsonLogHandler(out);
    LogRecord record =
        new LogRecord(Level.WARNING, "quote \" backslash \\ newline \n tab \t bell \u0007 {0}");
    record.setLoggerName("io.keyport.Test");
    record.setParameters(new Object[] {"param"});
    record.setThrown(new IllegalStateException("boom"));
    handler.publish(record);
    LogRecord plain = new LogRecord(Level.INFO, "second");
    plain.setLoggerName("io.keyport.Other");
    handler.publish(plain);

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length);
    JsonObject first = Json.createReader(new StringReader(lines[0])).readObject();
    assertEquals("WARNING", first.getString("level"));
    assertEquals("io.keyport.Test", first.getString("logger"));
    assertEquals(
        "quote \" backslash \\ newline \n tab \t bell \u0007 param", first.getString("message"));
    assertTrue(first.getString("thrown").contains("IllegalStateException: boom"));
    assertTrue(first.getString("time").endsWith("Z"));
    assertFalse(first.containsKey("requestId"), "no request outside a request");
    JsonObject second = Json.createReader(new StringReader(lines[1])).readObject();
    assertEquals("second", second.getString("message"));
  }
}
