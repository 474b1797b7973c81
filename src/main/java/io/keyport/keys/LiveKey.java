package io.keyport.keys;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the gateway check needs to know of an unrevoked key. {@code product} is null for a plan-wide
 * key; {@code allowedRanges} empty for a key that passes from any address; {@code credits} null for
 * a key without a credit limit.
 */
public record LiveKey(
    UUID id,
    String username,
    String product,
    String plan,
    Instant expiresAt,
    Map<String, String> metadata,
    List<AddressRange> allowedRanges,
    KeyScopes scopes,
    KeyCredits credits) {

  public LiveKey(
      UUID id,
      String username,
      String product,
      String plan,
      Instant expiresAt,
      Map<String, String> metadata,
      List<AddressRange> allowedRanges) {
    this(id, username, product, plan, expiresAt, metadata, allowedRanges, KeyScopes.NONE, null);
  }

  public LiveKey(
      UUID id,
      String username,
      String product,
      String plan,
      Instant expiresAt,
      Map<String, String> metadata) {
    this(id, username, product, plan, expiresAt, metadata, List.of());
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  /**
   * Whether a request from {@code clientAddress} (an IP literal, null when unknown) may use the
   * key: always without an allowlist; with one, only from an address inside it.
   */
  public boolean admitsAddress(String clientAddress) {
    if (allowedRanges.isEmpty()) {
      return true;
    }
    byte[] address = AddressRange.literal(clientAddress);
    for (AddressRange range : allowedRanges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
