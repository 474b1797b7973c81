package io.keyport.check;

import io.keyport.keys.KeyFormat;
import io.keyport.keys.KeyHasher;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LiveKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway auth check's decision (SPEC §3), the same for every HTTP front. Cheap checks first:
 * the key's shape and checksum, then the cache, and PostgreSQL only for a key not seen recently. It
 * never fails open: a key it cannot look up is refused with 503.
 */
@ApplicationScoped
public class AuthCheck {

  static final String MISSING = "missing_api_key";
  static final String INVALID = "invalid_api_key";
  static final String UNAVAILABLE = "unavailable";

  @Inject private KeyHasher hasher;
  @Inject private KeyCache keys;

  @Inject
  @ConfigProperty(name = "keyport.check.header", defaultValue = "api-key")
  String keyHeader;

  private Map<String, String> unauthorizedHeaders;

  /** The header the gateway sends the key in, as configured. */
  public String keyHeader() {
    return keyHeader;
  }

  public Verdict decide(CheckRequest request) {
    String key = request.apiKey();
    if (key == null || key.isEmpty()) {
      return unauthorized(MISSING);
    }
    if (!KeyFormat.isWellFormed(key)) {
      return unauthorized(INVALID);
    }
    Optional<LiveKey> found;
    try {
      found = keys.find(hasher.hash(key));
    } catch (KeyLookup.DatabaseUnavailable e) {
      return deny(503, UNAVAILABLE, Map.of());
    }
    if (found.isEmpty() || found.get().expiredAt(Instant.now())) {
      return unauthorized(INVALID);
    }
    LiveKey live = found.get();
    return new Verdict(
        200,
        null,
        Map.of(
            "x-solo-plan", live.plan(),
            "x-user-id", live.username(),
            "x-api-key-id", live.id().toString(),
            "x-api-product", live.product()));
  }

  private Verdict unauthorized(String error) {
    if (unauthorizedHeaders == null) {
      unauthorizedHeaders = Map.of("WWW-Authenticate", "APIKey header=\"" + keyHeader + "\"");
    }
    return deny(401, error, unauthorizedHeaders);
  }

  private static Verdict deny(int status, String error, Map<String, String> headers) {
    return new Verdict(status, error, headers);
  }
}
