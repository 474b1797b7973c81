package io.keyport.keys;

import io.keyport.platform.Unproxied;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Turns a key value into what is stored: {@code base64(HMAC-SHA256(secret, key))}, the hashing Gloo
 * Portal uses too (SPEC §2). The secret comes from {@code keyport.keys.hmac-secret}.
 */
@ApplicationScoped
public class KeyHasher {

  static final String SECRET_CONFIG = "keyport.keys.hmac-secret";
  private static final String ALGORITHM = "HmacSHA256";

  private SecretKeySpec secret;
  private ThreadLocal<Mac> macs;

  protected KeyHasher() {
    // for the CDI proxy
  }

  @Inject
  KeyHasher(@ConfigProperty(name = SECRET_CONFIG) Optional<String> secret) {
    String value =
        secret
            .filter(s -> !s.isBlank())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        SECRET_CONFIG
                            + " (env KEYPORT_KEYS_HMAC_SECRET) is not set. Keyport hashes API keys"
                            + " with it and cannot start without it: set it to a long random"
                            + " string and keep it secret."));
    this.secret = new SecretKeySpec(value.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** A hasher for {@code secret}, for code that runs outside the container. */
  public static KeyHasher withSecret(String secret) {
    return new KeyHasher(Optional.of(secret));
  }

  public String hash(String key) {
    Mac mac = macs.get();
    return Base64.getEncoder().encodeToString(mac.doFinal(KeyFormat.ascii(key)));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(secret);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  public Unproxied<KeyHasher> unproxied() {
    return new Unproxied<>(this);
  }
}
