package io.keyport.check;

/**
 * The request a gateway asks about. {@code path} is as sent (query included), {@code apiKey} and
 * {@code host} may be null; {@code clientAddress} is the IP literal of the client the gateway
 * serves, null when unknown (a key with an IP allowlist is then refused).
 */
public record CheckRequest(
    String method, String path, String host, String apiKey, String clientAddress) {

  public CheckRequest(String method, String path, String host, String apiKey) {
    this(method, path, host, apiKey, null);
  }

  /** Reads one request header by name, case-insensitively; null when absent. */
  @FunctionalInterface
  public interface Headers {
    String get(String name);
  }

  private static final String BEARER = "Bearer ";
  private static final String AUTHORIZATION = "Authorization";

  /**
   * Reads the request being authorised as SPEC §3 says, the same for every HTTP front.
   *
   * @param ownMethod the check request's own method
   * @param suffix what follows {@code /auth/check} in the check request's path, with its query
   * @param keyHeader the header the key is sent in ({@code keyport.check.header})
   */
  public static CheckRequest read(
      Headers headers, String ownMethod, String suffix, String keyHeader) {
    return read(headers, ownMethod, suffix, keyHeader, null, TrustedProxies.NONE);
  }

  /**
   * As {@link #read(Headers, String, String, String)}, with the client's address: {@code peer}'s
   * (the gateway's), or what a trusted gateway put in {@code X-Forwarded-For}.
   */
  static CheckRequest read(
      Headers headers,
      String ownMethod,
      String suffix,
      String keyHeader,
      String peer,
      TrustedProxies proxies) {
    String method = first(headers.get("X-Forwarded-Method"), headers.get("X-Original-Method"));
    String path = first(headers.get("X-Forwarded-Uri"), headers.get("X-Original-URI"));
    if (path == null) {
      path = suffix == null || suffix.isEmpty() ? "/" : suffix;
    }
    String host = first(headers.get("X-Forwarded-Host"), headers.get("Host"));
    return new CheckRequest(
        method == null ? ownMethod : method,
        path,
        host,
        apiKey(headers, keyHeader),
        proxies.client(peer, headers.get("X-Forwarded-For")));
  }

  /**
   * The key as SPEC §3 reads it: the {@code keyHeader} header, else {@code Authorization: Bearer
   * <key>}; null when neither is there.
   */
  public static String apiKey(Headers headers, String keyHeader) {
    String key = headers.get(keyHeader);
    if (key != null) {
      return key;
    }
    String authorization = headers.get(AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorization.substring(BEARER.length()).trim();
    }
    return null;
  }

  /**
   * The name of the header {@link #apiKey} reads the key from ({@code keyHeader} or {@code
   * Authorization}), for a front that must keep the key from reaching the upstream; null when the
   * request carries no key.
   */
  public static String keySource(Headers headers, String keyHeader) {
    if (headers.get(keyHeader) != null) {
      return keyHeader;
    }
    return apiKey(headers, keyHeader) == null ? null : AUTHORIZATION;
  }

  private static String first(String preferred, String fallback) {
    return preferred != null ? preferred : fallback;
  }
}
