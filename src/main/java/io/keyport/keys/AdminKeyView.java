package io.keyport.keys;

import java.io.Serializable;
import java.time.Instant;
import java.util.SortedMap;
import java.util.UUID;

/**
 * A key as administrators see it: everything but the value, plus its owner, why it was revoked, and
 * its version, which a change must send back (optimistic locking).
 */
public record AdminKeyView(
    UUID id,
    String name,
    String owner,
    String ownerDisplayName,
    boolean ownerEnabled,
    String product,
    String productDisplayName,
    String plan,
    String planDisplayName,
    String hint,
    SortedMap<String, String> metadata,
    Instant createdAt,
    Instant expiresAt,
    Instant lastUsedAt,
    Instant revokedAt,
    String revokedReason,
    KeyStatus status,
    long lockVersion,
    KeyScopes scopes,
    CreditsView credits)
    implements Serializable {}
