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

  private long hstsMaxAge;

  @Override
  public void init() {
    hstsMaxAge =
        ConfigProvider.getConfig()
            .getOptionalValue("keyport.http.hsts-max-age", Long.class)
            .orElse(31_536_000L);
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    // The request's own path: a servlet path stops short (the REST API's is "/api/v1").
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (!path.startsWith("/auth/check")) {
      response.setHeader("X-Content-Type-Options", "nosniff");
      response.setHeader("Referrer-Policy", "same-origin");
      response.setHeader("X-Frame-Options", "DENY");
      if (path.startsWith("/api/")) {
        response.setHeader("Content-Security-Policy", API_POLICY);
        response.setHeader("Cache-Control", "no-store");
      }
      if (hstsMaxAge > 0 && ClientAddress.isSecure(request)) {
        response.setHeader("Strict-Transport-Security", "max-age=" + hstsMaxAge);
      }
    }
    chain.doFilter(request, response);
  }
}
