package io.keyport.notifications;

import java.time.Instant;
import java.util.List;

/** A webhook endpoint as admins see it; its secret is shown only when it is made. */
public record WebhookView(
    long id,
    String url,
    String description,
    List<String> eventTypes,
    boolean enabled,
    Instant createdAt,
    long lockVersion)
    implements java.io.Serializable {}
