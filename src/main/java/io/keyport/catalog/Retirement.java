package io.keyport.catalog;

import java.time.Instant;

/** What retiring a product did: when, and how many live keys it revoked. */
public record Retirement(String slug, Instant retiredAt, long keysRevoked) {}
