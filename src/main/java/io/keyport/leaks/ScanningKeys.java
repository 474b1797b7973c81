package io.keyport.leaks;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The public keys a secret scanner signs its reports with, in GitHub's format ({@code
 * {"public_keys":[{"key_identifier","key":"-----BEGIN PUBLIC KEY-----…"}]}}, ECDSA P-256), fetched
 * from {@code keyport.secret-scanning.keys-url}. They are kept for an hour, and fetched again, at
 * most once a minute, when a report names a key this node does not know (GitHub rotates them). If
 * the list cannot be fetched, the keys already known keep serving.
 */
@ApplicationScoped
class ScanningKeys {

  static final String GITHUB_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";
  private static final Duration KEEP = Duration.ofHours(1);
  private static final Duration REFETCH_AT_MOST_EVERY = Duration.ofMinutes(1);
  private static final int MAX_LIST_BYTES = 256 * 1024;
  private static final Logger LOG = Logger.getLogger(ScanningKeys.class.getName());

  /** The list of keys cannot be had, and the report's key is not among those known. */
  static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }

  @Inject
  @ConfigProperty(name = "keyport.secret-scanning.keys-url", defaultValue = GITHUB_KEYS_URL)
  String url;

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private Map<String, PublicKey> keys = Map.of();
  private Instant fetchedAt = Instant.EPOCH;
  private Instant triedAt = Instant.EPOCH;

  /**
   * Whether {@code signature} (base64 of a DER ECDSA signature) is the key {@code keyId}'s over
   * {@code body}; empty when no such key is published.
   */
  Optional<Boolean> verifies(String keyId, String signature, byte[] body) throws Unavailable {
    Optional<PublicKey> key = key(keyId);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initVerify(key.get());
      ecdsa.update(body);
      return Optional.of(ecdsa.verify(Base64.getDecoder().decode(signature.strip())));
    } catch (IllegalArgumentException | GeneralSecurityException notASignature) {
      return Optional.of(false);
    }
  }

  private synchronized Optional<PublicKey> key(String id) throws Unavailable {
    Instant now = Instant.now();
    boolean stale = now.isAfter(fetchedAt.plus(KEEP));
    if (!keys.containsKey(id) || stale) {
      if (stale || now.isAfter(triedAt.plus(REFETCH_AT_MOST_EVERY))) {
        triedAt = now;
        try {
          keys = fetch();
          fetchedAt = now;
        } catch (IOException | RuntimeException e) {
          LOG.warning("Secret scanning: the public keys at " + url + " cannot be read (" + e + ")");
          if (!keys.containsKey(id)) {
            throw new Unavailable(
                "The secret scanner's public keys cannot be read now; send the report again"
                    + " later.");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Unavailable("Interrupted while reading the secret scanner's public keys.");
        }
      }
    }
    return Optional.ofNullable(keys.get(id));
  }

  private Map<String, PublicKey> fetch() throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("answered " + response.statusCode());
    }
    if (response.body().length > MAX_LIST_BYTES) {
      throw new IOException("more than " + MAX_LIST_BYTES + " bytes");
    }
    return parse(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The keys of a published list; an entry that is not a P-256 public key is left out. */
  static Map<String, PublicKey> parse(String list) throws IOException {
    JsonObject root;
    try (JsonReader reader = Json.createReader(new StringReader(list))) {
      root = reader.readObject();
    } catch (JsonException | IllegalStateException e) {
      throw new IOException("not a JSON object: " + e.getMessage());
    }
    Map<String, PublicKey> parsed = new HashMap<>();
    for (JsonValue entry : root.getJsonArray("public_keys")) {
      if (!(entry instanceof JsonObject key)
          || !key.containsKey("key_identifier")
          || !key.containsKey("key")) {
        continue;
      }
      try {
        String pem =
            key.getString("key")
                .replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        PublicKey publicKey =
            KeyFactory.getInstance("EC")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        if (publicKey instanceof ECPublicKey ec
            && ec.getParams().getCurve().getField().getFieldSize() == 256) {
          parsed.put(key.getString("key_identifier"), publicKey);
        }
      } catch (ClassCastException | IllegalArgumentException | GeneralSecurityException e) {
        LOG.warning("Secret scanning: a published key is not an EC public key; left out");
      }
    }
    return Map.copyOf(parsed);
  }
}
