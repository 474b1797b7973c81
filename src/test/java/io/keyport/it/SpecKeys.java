package io.keyport.it;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys and hashes made by the SPEC §2 algorithms, written out here from the SPEC rather than
 * borrowed from Keyport's {@code KeyFormat} and {@code KeyHasher}, so the tests check Keyport
 * against the contract: well-formed keys with valid checksums that no one has issued, and the
 * stored form of a key.
 */
public final class SpecKeys {

  public static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String PREFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private SpecKeys() {}

  /** {@code <prefix>_<32 base62><6 base62 CRC32>}, with a prefix of 1 to 16 characters. */
  public static String wellFormed(Random random) {
    StringBuilder prefix = new StringBuilder();
    int length = random.nextInt(4) == 0 ? 1 + random.nextInt(16) : 2;
    for (int i = 0; i < length; i++) {
      prefix.append(PREFIX_CHARS.charAt(random.nextInt(PREFIX_CHARS.length())));
    }
    return wellFormed(random, length == 2 && random.nextBoolean() ? "kp" : prefix.toString());
  }

  public static String wellFormed(Random random, String prefix) {
    StringBuilder key = new StringBuilder(prefix).append('_');
    for (int i = 0; i < 32; i++) {
      key.append(BASE62.charAt(random.nextInt(62)));
    }
    return key.append(checksum(key.toString())).toString();
  }

  /** CRC32 of the ASCII bytes, unsigned, in base62, most significant first, padded to 6. */
  public static String checksum(String prefixAndBody) {
    CRC32 crc = new CRC32();
    crc.update(prefixAndBody.getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] digits = new char[6];
    for (int i = 5; i >= 0; i--) {
      digits[i] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    return new String(digits);
  }

  /** A well-formed {@code kp_} key that Keyport never issued. */
  public static String unknown() {
    return wellFormed(new SecureRandom(), "kp");
  }

  /** {@code base64(HMAC-SHA256(secret, key))}, as SPEC §2 stores a key. */
  public static String hmac(String secret, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(key.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
