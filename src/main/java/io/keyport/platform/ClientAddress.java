package io.keyport.platform;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Who is on the other end of a request, and whether it came over HTTPS, as far as Keyport can trust
 * what it is told. {@code X-Forwarded-For} and {@code X-Forwarded-Proto} count only when the
 * request comes straight from an address listed in {@code keyport.http.trusted-proxies}
 * (comma-separated IP addresses, none by default): anyone else could write anything in them.
 */
public final class ClientAddress {

  private static volatile Set<String> trusted;

  private ClientAddress() {}

  /** The client's address: the nearest untrusted hop of X-Forwarded-For behind trusted proxies. */
  public static String of(HttpServletRequest request) {
    String peer = request.getRemoteAddr();
    if (!trusted().contains(peer)) {
      return peer;
    }
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded == null || forwarded.isBlank()) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      if (!hop.isEmpty() && !trusted().contains(hop)) {
        return hop;
      }
    }
    return peer;
  }

  /** Whether the client reached Keyport over HTTPS: directly, or through a trusted proxy. */
  public static boolean isSecure(HttpServletRequest request) {
    return request.isSecure()
        || (trusted().contains(request.getRemoteAddr())
            && "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto")));
  }

  private static Set<String> trusted() {
    Set<String> known = trusted;
    if (known == null) {
      String list =
          ConfigProvider.getConfig()
              .getOptionalValue("keyport.http.trusted-proxies", String.class)
              .orElse("");
      known =
          Arrays.stream(list.split(","))
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .collect(Collectors.toUnmodifiableSet());
      trusted = known;
    }
    return known;
  }
}
