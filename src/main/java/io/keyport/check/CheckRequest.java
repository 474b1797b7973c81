package io.keyport.check;

/** The request a gateway asks about, as the check front read it. {@code apiKey} may be null. */
public record CheckRequest(String method, String path, String host, String apiKey) {}
