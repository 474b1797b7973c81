package io.keyport.notifications;

import java.time.Instant;
import java.util.UUID;

/**
 * One delivery of one event, as the delivery log shows it: to a webhook endpoint ({@code
 * endpointId}, {@code target} its URL) or an e-mail ({@code target} the address); {@code status}
 * pending (with {@code nextAttemptAt}), delivered or failed (retries ran out).
 */
public record DeliveryView(
    long id,
    UUID eventId,
    String eventType,
    Instant occurredAt,
    String channel,
    Long endpointId,
    String target,
    String status,
    int attempts,
    Integer lastStatusCode,
    String lastError,
    Instant lastAttemptAt,
    Instant nextAttemptAt,
    Instant deliveredAt)
    implements java.io.Serializable {}
