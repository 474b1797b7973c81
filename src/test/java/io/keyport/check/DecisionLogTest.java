package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keyport.keys.KeyFormat;
import io.keyport.keys.LiveKey;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DecisionLogTest {

  @Test
  void aLineNamesTheKeyByIdNeverByValue() {
    UUID id = UUID.randomUUID();
    String value = KeyFormat.generate("kp");
    LiveKey key = new LiveKey(id, "dev@example.com", "petstore", "gold", null, Map.of());
    String line =
        DecisionLog.line(Front.LISTENER, new Verdict(429, "rate_limited", Map.of()), key, 42_000)
            .getMessage();
    assertEquals(
        "decision front=listener outcome=rate_limited status=429 product=petstore plan=gold key="
            + id
            + " user=dev@example.com micros=42",
        line);
    assertFalse(line.contains(value));
  }

  @Test
  void aShareOutsideZeroToOneIsRefusedAtStartUp() {
    assertThrows(IllegalStateException.class, () -> DecisionLog.sampling(1.5));
    assertThrows(IllegalStateException.class, () -> DecisionLog.sampling(Double.NaN));
  }
}
