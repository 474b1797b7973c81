package io.keyport.it;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * Well-formed keys that Keyport never issued, built here from SPEC §2 rather than by Keyport's own
 * code, so a test can ask about a key that passes the checksum but is unknown.
 */
public final class WellFormedKeys {

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private WellFormedKeys() {}

  public static String random() {
    StringBuilder key = new StringBuilder("kp_");
    for (int i = 0; i < 32; i++) {
      key.append(BASE62.charAt(RANDOM.nextInt(62)));
    }
    CRC32 crc = new CRC32();
    crc.update(key.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] checksum = new char[6];
    for (int i = 5; i >= 0; i--) {
      checksum[i] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    return key.append(checksum).toString();
  }
}
