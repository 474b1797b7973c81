package io.keyport.keys;

import java.time.Instant;
import java.util.List;

/**
 * What a key's owner changes (SPEC §11, {@code PATCH /api/v1/api-keys/{id}}): any of its name, its
 * expiry and its IP allowlist (CIDR ranges; empty for any address); null leaves one as it is.
 */
public record KeyEdit(String name, Instant expiresAt, List<String> allowedCidrs) {}
