package io.keyport.audit;

import java.time.Instant;

/**
 * Which audit events to show; each part null or blank for "any". {@code actor} and {@code targetId}
 * match a part, any case; {@code action} and {@code targetType} exactly; the period is {@code from}
 * (inclusive) to {@code to} (exclusive).
 */
public record AuditFilter(
    String actor, String action, String targetType, String targetId, Instant from, Instant to) {

  public static final AuditFilter ANY = new AuditFilter(null, null, null, null, null, null);
}
