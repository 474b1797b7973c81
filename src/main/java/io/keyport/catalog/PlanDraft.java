package io.keyport.catalog;

/**
 * A usage plan as an administrator submits it, before any check. {@code requestsPerUnit} and {@code
 * unit} both null: no rate limit. {@code unit} is text, so a wrong one is reported at its field
 * like any other mistake.
 */
public record PlanDraft(
    String name,
    String displayName,
    String description,
    Integer requestsPerUnit,
    String unit,
    Long monthlyQuota,
    Integer maxKeysPerUser) {}
