package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyFormatTest {

  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  @Test
  void aGeneratedKeyHasThePrefixA32CharacterBodyAndASixCharacterChecksum() {
    String key = KeyFormat.generate("kp");
    assertEquals(2 + 1 + 32 + 6, key.length());
    assertTrue(key.startsWith("kp_"));
    assertTrue(key.substring(3).chars().allMatch(c -> ALPHABET.indexOf(c) >= 0), key);
    assertTrue(KeyFormat.isWellFormed(key));
  }

  @Test
  void theChecksumIsTheCrc32OfPrefixAndBodyInBase62LeftPaddedToSix() {
    String prefixAndBody = "kp_" + "0".repeat(32);
    CRC32 crc = new CRC32();
    crc.update(prefixAndBody.getBytes(StandardCharsets.US_ASCII));
    assertEquals(base62(crc.getValue()), KeyFormat.checksum(prefixAndBody));
    assertTrue(KeyFormat.isWellFormed(prefixAndBody + base62(crc.getValue())));
  }

  @Test
  void aSmallChecksumIsLeftPaddedWithZeros() {
    // Hunt a body whose CRC32 is below 62^5, so its base62 form needs padding.
    for (int i = 0; ; i++) {
      String prefixAndBody = "kp_" + String.format("%032d", i);
      CRC32 crc = new CRC32();
      crc.update(prefixAndBody.getBytes(StandardCharsets.US_ASCII));
      if (crc.getValue() < 916_132_832L) {
        String checksum = KeyFormat.checksum(prefixAndBody);
        assertTrue(checksum.startsWith("0"), checksum);
        assertEquals(6, checksum.length());
        assertTrue(KeyFormat.isWellFormed(prefixAndBody + checksum));
        return;
      }
    }
  }

  @Test
  void keysAreRandom() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      keys.add(KeyFormat.generate("kp"));
    }
    assertEquals(1_000, keys.size());
  }

  @Test
  void everySingleCharacterChangeOfAKeyIsRejected() {
    String key = KeyFormat.generate("kp");
    String alphabet = ALPHABET + "_-.+/= ";
    int mutations = 0;
    for (int i = 0; i < key.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        if (c == key.charAt(i)) {
          continue;
        }
        String mutated = key.substring(0, i) + c + key.substring(i + 1);
        assertFalse(KeyFormat.isWellFormed(mutated), "accepted " + mutated + " from " + key);
        mutations++;
      }
    }
    assertTrue(mutations > 2_500, "only " + mutations + " mutations tried");
  }

  @Test
  void droppedAddedAndSwappedCharactersAreRejected() {
    String key = KeyFormat.generate("kp");
    for (int i = 0; i < key.length(); i++) {
      assertFalse(KeyFormat.isWellFormed(key.substring(0, i) + key.substring(i + 1)));
      assertFalse(KeyFormat.isWellFormed(key.substring(0, i) + "A" + key.substring(i)));
    }
    for (int i = 3; i + 1 < key.length(); i++) {
      if (key.charAt(i) != key.charAt(i + 1)) {
        String swapped =
            key.substring(0, i) + key.charAt(i + 1) + key.charAt(i) + key.substring(i + 2);
        assertFalse(KeyFormat.isWellFormed(swapped), swapped);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "kp",
        "kp_",
        "_0123456789abcdefghijABCDEFGHIJ01ABCDEF",
        "KP_0123456789abcdefghijABCDEFGHIJ01ABCDEF",
        "kp-0123456789abcdefghijABCDEFGHIJ01ABCDEF",
        "kp_0123456789abcdefghijABCDEFGHIJ01ABCDEF ",
        "kp_0123456789abcdefghijABCDEFGHIJ01ABCDÉF",
        "averyveryverylongprefix_0123456789abcdefghijABCDEFGHIJ01ABCDEF"
      })
  void malformedKeysAreRejected(String key) {
    assertFalse(KeyFormat.isWellFormed(key));
  }

  @Test
  void nullIsNotAKey() {
    assertFalse(KeyFormat.isWellFormed(null));
  }

  @Test
  void anyValidPrefixIsAcceptedSoKeysSurviveAPrefixChange() {
    assertTrue(KeyFormat.isWellFormed(KeyFormat.generate("acme2")));
    assertTrue(KeyFormat.isWellFormed(KeyFormat.generate("a")));
    assertTrue(KeyFormat.isWellFormed(KeyFormat.generate("p".repeat(16))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "KP", "k_p", "k-p", "kp!", "ppppppppppppppppp"})
  void invalidPrefixesAreRefused(String prefix) {
    assertFalse(KeyFormat.isValidPrefix(prefix));
    assertThrows(IllegalArgumentException.class, () -> KeyFormat.generate(prefix));
  }

  @Test
  void theHintIsThePrefixAndTheFirstFourBodyCharacters() {
    String key = KeyFormat.generate("kp");
    assertEquals(key.substring(0, 7) + "…", KeyFormat.hint(key));
    assertNotEquals(key, KeyFormat.hint(key));
  }

  private static String base62(long value) {
    StringBuilder digits = new StringBuilder();
    while (value > 0) {
      digits.insert(0, ALPHABET.charAt((int) (value % 62)));
      value /= 62;
    }
    while (digits.length() < 6) {
      digits.insert(0, '0');
    }
    return digits.toString();
  }
}
