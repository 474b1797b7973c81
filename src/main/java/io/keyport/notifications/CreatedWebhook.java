package io.keyport.notifications;

/** A new endpoint and its signing secret ({@code whsec_…}), shown this once. */
public record CreatedWebhook(WebhookView endpoint, String secret) {}
