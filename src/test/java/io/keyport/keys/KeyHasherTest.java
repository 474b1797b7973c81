package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyHasherTest {

  @Test
  void matchesTheRfc4231HmacSha256TestVector() {
    // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    KeyHasher hasher = KeyHasher.withSecret("Jefe");
    assertEquals(
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=",
        hasher.hash("what do ya want for nothing?"));
  }

  @Test
  void theHashIsStandardBase64WithPaddingOf32Bytes() {
    String hash = KeyHasher.withSecret("s").hash(KeyFormat.generate("kp"));
    assertEquals(44, hash.length());
    assertTrue(hash.endsWith("="));
  }

  @Test
  void anotherSecretGivesAnotherHash() {
    String key = KeyFormat.generate("kp");
    assertNotEquals(KeyHasher.withSecret("a").hash(key), KeyHasher.withSecret("b").hash(key));
  }

  @Test
  void aMissingOrBlankSecretStopsStartupWithTheConfigName() {
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> new KeyHasher(Optional.empty()));
    assertTrue(missing.getMessage().contains("keyport.keys.hmac-secret"));
    assertTrue(missing.getMessage().contains("KEYPORT_KEYS_HMAC_SECRET"));
    assertThrows(IllegalStateException.class, () -> new KeyHasher(Optional.of("  ")));
  }

  @Test
  void threadsHashingAtOnceAgree() throws Exception {
    KeyHasher hasher = KeyHasher.withSecret("shared");
    String key = KeyFormat.generate("kp");
    String expected = hasher.hash(key);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        results.add(pool.submit(() -> hasher.hash(key)));
      }
      for (Future<String> result : results) {
        assertEquals(expected, result.get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
