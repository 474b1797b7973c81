package io.keyport.keys;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A key as its owner sees it: everything but the value, which is never kept. {@code credits} is
 * null for a key without a credit limit.
 */
public record KeyView(
    UUID id,
    String name,
    String product,
    String productDisplayName,
    String plan,
    String planDisplayName,
    String hint,
    Map<String, String> metadata,
    Instant createdAt,
    Instant expiresAt,
    Instant lastUsedAt,
    KeyStatus status,
    List<String> allowedCidrs,
    KeyScopes scopes,
    CreditsView credits)
    implements java.io.Serializable {}
