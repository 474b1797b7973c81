package io.keyport.identity;

import io.keyport.platform.JsonErrors;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;

/**
 * Holds a user who signed in with a temporary password at the profile page until they choose their
 * own: every other page sends them there, and the REST APIs answer 403 {@code
 * password_change_required}, except the call that changes the password. Runs after the
 * authentication mechanism, so it sees who signed in, by session or HTTP Basic alike.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class PasswordChangeGate extends HttpFilter {

  private static final long serialVersionUID = 1L;
  public static final String PASSWORD_API = "/api/v1/me/password";

  @Inject private Users users;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Principal caller = request.getUserPrincipal();
    if (caller == null
        || allowed(path(request))
        || !users.passwordChangeRequired(caller.getName())) {
      chain.doFilter(request, response);
      return;
    }
    String path = path(request);
    if (path.startsWith("/api/") || path.startsWith("/v1/")) {
      JsonErrors.write(
          response,
          HttpServletResponse.SC_FORBIDDEN,
          "password_change_required",
          "You signed in with a temporary password. Choose your own first: POST "
              + PASSWORD_API
              + " with {\"currentPassword\",\"newPassword\"}, or open the profile page.");
      return;
    }
    String target = request.getContextPath() + OidcSignIn.PROFILE_PAGE;
    if ("partial/ajax".equals(request.getHeader("Faces-Request"))) {
      // An ajax request cannot follow a 302; Faces' own redirect answer does the same.
      response.setContentType("text/xml");
      response.setCharacterEncoding("UTF-8");
      response
          .getWriter()
          .write(
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><partial-response><redirect url=\""
                  + target
                  + "\"/></partial-response>");
      return;
    }
    response.sendRedirect(target);
  }

  private static String path(HttpServletRequest request) {
    String info = request.getPathInfo();
    return request.getServletPath() + (info == null ? "" : info);
  }

  /** What someone must reach to change the password, or to leave. */
  static boolean allowed(String path) {
    return path.equals(OidcSignIn.PROFILE_PAGE)
        || path.equals(PASSWORD_API)
        || path.startsWith("/jakarta.faces.resource/")
        || path.startsWith("/resources/")
        || path.startsWith("/error/")
        || path.equals(PortalAuthentication.LOGIN_PAGE)
        || path.startsWith("/auth/check")
        || path.equals("/ping")
        || path.startsWith("/health")
        || path.equals("/metrics");
  }
}
