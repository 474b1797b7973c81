package io.keyport.keys;

import java.time.Instant;
import java.util.List;

/**
 * What a key's owner changes (SPEC §11, {@code PATCH /api/v1/api-keys/{id}}): any of its name, its
 * expiry, its IP allowlist (CIDR ranges; empty for any address) and its scopes; null leaves one as
 * it is. Credits ({@code setsCredits}; {@code credits} null removes the limit) only an
 * administrator sets.
 */
public record KeyEdit(
    String name,
    Instant expiresAt,
    List<String> allowedCidrs,
    KeyScopes scopes,
    boolean setsCredits,
    CreditGrant credits) {

  public KeyEdit(String name, Instant expiresAt, List<String> allowedCidrs) {
    this(name, expiresAt, allowedCidrs, null, false, null);
  }
}
