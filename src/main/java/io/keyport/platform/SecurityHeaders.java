package io.keyport.platform;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The browser-facing security headers on every response but the gateway check's (which no browser
 * reads, and which stays as lean as it is):
 *
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: same-origin}, {@code
 *       X-Frame-Options: DENY} (for browsers older than CSP's {@code frame-ancestors});
 *   <li>on the REST API, {@code Content-Security-Policy: default-src 'none'; frame-ancestors
 *       'none'} and {@code Cache-Control: no-store} (answers may hold a key value, shown once). The
 *       pages' policy comes from PrimeFaces' CSP mode (web.xml), which adds each page's nonce;
 *   <li>{@code Strict-Transport-Security} when the client came over HTTPS, directly or through a
 *       proxy in {@code keyport.http.trusted-proxies}; max-age {@code keyport.http.hsts-max-age}
 *       seconds (one year; 0 sends none).
 * </ul>
 */
@WebFilter(
    filterName = "SecurityHeaders",
    urlPatterns = "/*",
    dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ERROR})
public class SecurityHeaders extends HttpFilter {

  private static final long serialVersionUID = 1L;
  static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";

  private static volatile Long hstsMaxAge;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    apply(request, response);
    chain.doFilter(request, response);
  }

  /**
   * Sets the headers on {@code response}. The filter does this for every answer the application
   * writes; the authentication mechanism calls it too, because its refusals (401, 429, 503, the
   * redirect to the login page) are written before any filter runs.
   */
  public static void apply(HttpServletRequest request, HttpServletResponse response) {
    // The request's own path: a servlet path stops short (the REST API's is "/api/v1").
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (path.startsWith("/auth/check")) {
      return;
    }
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "same-origin");
    response.setHeader("X-Frame-Options", "DENY");
    if (path.startsWith("/api/")) {
      response.setHeader("Content-Security-Policy", API_POLICY);
      response.setHeader("Cache-Control", "no-store");
    }
    long maxAge = hstsMaxAge();
    if (maxAge > 0 && ClientAddress.isSecure(request)) {
      response.setHeader("Strict-Transport-Security", "max-age=" + maxAge);
    }
  }

  private static long hstsMaxAge() {
    Long known = hstsMaxAge;
    if (known == null) {
      known =
          ConfigProvider.getConfig()
              .getOptionalValue("keyport.http.hsts-max-age", Long.class)
              .orElse(31_536_000L);
      hstsMaxAge = known;
    }
    return known;
  }
}
