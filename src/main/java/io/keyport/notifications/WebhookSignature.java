package io.keyport.notifications;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing (standardwebhooks.com): the secret is {@code whsec_} + base64 of the
 * key bytes, and {@code webhook-signature} is {@code v1,} + base64 of HMAC-SHA256 over {@code
 * <webhook-id>.<webhook-timestamp>.<body>}.
 */
public final class WebhookSignature {

  static final String SECRET_PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A new endpoint secret: 32 random bytes. */
  static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** The {@code webhook-signature} header value for one delivery attempt. */
  static String sign(String secret, String id, long timestamp, String body) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("A webhook secret starts with " + SECRET_PREFIX);
    }
    byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] signature =
          mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
