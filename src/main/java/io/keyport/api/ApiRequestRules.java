package io.keyport.api;

import io.keyport.platform.ClientAddress;
import io.keyport.platform.JsonErrors;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Two rules for every REST API request, before any resource sees it:
 *
 * <ul>
 *   <li>No {@code ;} path parameters ({@code /api/v1/admin;x=y/users}), raw or percent-encoded: the
 *       servlet container and JAX-RS read such paths differently, the classic way past URL security
 *       constraints. The API has no use for them, so they are refused with 400.
 *   <li>Cross-site request forgery: a state-changing call (POST, PUT, PATCH, DELETE) that rides on
 *       the session cookie must send {@code Content-Type: application/json} (which no cross-site
 *       form can send without the browser asking first) or an {@code Origin} of Keyport itself;
 *       otherwise 403. Calls with {@code Authorization} (Basic or bearer) carry their credentials
 *       themselves, which another site cannot make a browser do, and are not affected.
 * </ul>
 */
@WebFilter(filterName = "ApiRequestRules", urlPatterns = "/api/*")
public class ApiRequestRules extends HttpFilter {

  private static final long serialVersionUID = 1L;
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String uri = request.getRequestURI();
    if (uri.indexOf(';') >= 0 || uri.toLowerCase(Locale.ROOT).contains("%3b")) {
      refuse(
          response,
          400,
          "invalid_path",
          "Keyport's API takes no ';' in a path (no path parameters). Send the path without it.");
      return;
    }
    if (!SAFE.contains(request.getMethod())
        && request.getHeader("Authorization") == null
        && request.getUserPrincipal() != null
        && !json(request.getContentType())
        && !sameOrigin(request)) {
      refuse(
          response,
          403,
          "cross_site_request",
          "A change made with the portal's session cookie must send Content-Type:"
              + " application/json or come from a Keyport page; this one did neither. Scripts sign"
              + " in with HTTP Basic or a bearer token instead.");
      return;
    }
    chain.doFilter(request, response);
  }

  private static boolean json(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.equalsIgnoreCase("application/json");
  }

  /** Whether the Origin header names this very server, as the client reached it. */
  static boolean sameOrigin(HttpServletRequest request) {
    String origin = request.getHeader("Origin");
    String host = request.getHeader("Host");
    if (origin == null || host == null || origin.equals("null")) {
      return false;
    }
    try {
      URI parsed = URI.create(origin);
      String scheme = ClientAddress.isSecure(request) ? "https" : "http";
      String authority = parsed.getRawAuthority();
      return scheme.equalsIgnoreCase(parsed.getScheme())
          && authority != null
          && withPort(authority, scheme).equalsIgnoreCase(withPort(host, scheme));
    } catch (IllegalArgumentException notAnOrigin) {
      return false;
    }
  }

  private static String withPort(String authority, String scheme) {
    boolean hasPort =
        authority.lastIndexOf(':') > authority.lastIndexOf(']') && authority.lastIndexOf(':') > 0;
    return hasPort ? authority : authority + (scheme.equals("https") ? ":443" : ":80");
  }

  private static void refuse(HttpServletResponse response, int status, String error, String message)
      throws IOException {
    JsonErrors.write(response, status, error, message);
  }
}
