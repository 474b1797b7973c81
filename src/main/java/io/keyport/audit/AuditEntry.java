package io.keyport.audit;

import java.io.Serializable;
import java.time.Instant;

/** One audit event as people read it; {@code details} is its JSON object. */
public record AuditEntry(
    long id,
    Instant occurredAt,
    String actor,
    String action,
    String targetType,
    String targetId,
    String details,
    String clientAddress)
    implements Serializable {}
