package io.keyport.keys;

import java.time.Instant;
import java.util.Map;

/** What a user asks for when creating a key. {@code metadata} and {@code expiresAt} may be null. */
public record NewKey(
    String name, String product, String plan, Map<String, String> metadata, Instant expiresAt) {}
