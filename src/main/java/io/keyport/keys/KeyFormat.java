package io.keyport.keys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The only code that knows an API key's shape: {@code <prefix>_<body><checksum>} (SPEC §2).
 *
 * <p>The body is 32 base62 characters from {@link SecureRandom}; the checksum is the CRC32 of the
 * ASCII bytes of {@code <prefix>_<body>}, written in base62 and left-padded to 6 characters. The
 * checksum lets the gateway check refuse garbage without any lookup.
 */
public final class KeyFormat {

  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final int BODY_LENGTH = 32;
  static final int CHECKSUM_LENGTH = 6;
  static final int MAX_PREFIX_LENGTH = 16;
  private static final int HINT_BODY_CHARS = 4;

  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyFormat() {}

  /** Whether {@code prefix} may start a key: 1 to 16 lowercase ASCII letters and digits. */
  public static boolean isValidPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /** A new key with the given prefix. */
  public static String generate(String prefix) {
    if (!isValidPrefix(prefix)) {
      throw new IllegalArgumentException("A key prefix is 1 to 16 lowercase letters and digits");
    }
    StringBuilder key = new StringBuilder(prefix.length() + 1 + BODY_LENGTH + CHECKSUM_LENGTH);
    key.append(prefix).append('_');
    for (int i = 0; i < BODY_LENGTH; i++) {
      key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return key.append(checksum(key)).toString();
  }

  /**
   * Whether {@code key} has the shape of a Keyport key and its checksum matches. Any valid prefix
   * is accepted, so keys issued before a prefix change keep working.
   */
  public static boolean isWellFormed(CharSequence key) {
    if (key == null) {
      return false;
    }
    int length = key.length();
    int prefixLength = length - 1 - BODY_LENGTH - CHECKSUM_LENGTH;
    if (prefixLength < 1 || prefixLength > MAX_PREFIX_LENGTH || key.charAt(prefixLength) != '_') {
      return false;
    }
    for (int i = 0; i < prefixLength; i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    for (int i = prefixLength + 1; i < length; i++) {
      if (digit(key.charAt(i)) < 0) {
        return false;
      }
    }
    int checksumStart = length - CHECKSUM_LENGTH;
    long expected = crc32(key, checksumStart);
    long actual = 0;
    for (int i = checksumStart; i < length; i++) {
      actual = actual * ALPHABET.length() + digit(key.charAt(i));
    }
    return actual == expected;
  }

  /** What a person sees of a key after creation: {@code kp_9fA2…}. */
  public static String hint(String key) {
    int underscore = key.indexOf('_');
    return key.substring(0, underscore + 1 + HINT_BODY_CHARS) + "…";
  }

  static String checksum(CharSequence prefixAndBody) {
    long value = crc32(prefixAndBody, prefixAndBody.length());
    char[] digits = new char[CHECKSUM_LENGTH];
    for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
      digits[i] = ALPHABET.charAt((int) (value % ALPHABET.length()));
      value /= ALPHABET.length();
    }
    return new String(digits);
  }

  private static long crc32(CharSequence text, int end) {
    byte[] ascii = new byte[end];
    for (int i = 0; i < end; i++) {
      ascii[i] = (byte) text.charAt(i);
    }
    CRC32 crc = new CRC32();
    crc.update(ascii);
    return crc.getValue();
  }

  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'Z') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 36;
    }
    return -1;
  }

  static byte[] ascii(String key) {
    return key.getBytes(StandardCharsets.US_ASCII);
  }
}
