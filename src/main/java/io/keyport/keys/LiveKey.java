package io.keyport.keys;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What the gateway check needs to know of an unrevoked key. */
public record LiveKey(
    UUID id,
    String username,
    String product,
    String plan,
    Instant expiresAt,
    Map<String, String> metadata) {

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }
}
