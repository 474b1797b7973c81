package io.keyport.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * The portal's one authentication mechanism (Jakarta Security allows one per application):
 *
 * <ul>
 *   <li>the login page's form, through {@code SecurityContext.authenticate}, which signs the
 *       session in;
 *   <li>the session, on every later request, pages and REST API alike;
 *   <li>HTTP Basic, for scripts calling the REST API, without creating a session.
 * </ul>
 *
 * A protected page sends an anonymous browser to the login page and back afterwards; the REST API
 * answers 401 with a JSON body instead. The gateway check is never authenticated here.
 */
@ApplicationScoped
public class PortalAuthentication implements HttpAuthenticationMechanism {

  public static final String LOGIN_PAGE = "/login.xhtml";
  public static final String RETURN_TO_ATTRIBUTE = "io.keyport.returnTo";
  private static final String BASIC = "Basic ";

  @Inject private IdentityStoreHandler identityStores;
  @Inject private Users users;

  @Override
  public AuthenticationStatus validateRequest(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    String path = request.getServletPath();
    if (path.startsWith("/auth/check") || path.equals("/ping") || path.startsWith("/health")) {
      return context.doNothing();
    }
    Credential credential = context.getAuthParameters().getCredential();
    if (context.isAuthenticationRequest() && credential != null) {
      return signInSession(request, context, identityStores.validate(credential));
    }
    HttpSession session = request.getSession(false);
    if (session != null && session.getAttribute(SignedIn.SESSION_ATTRIBUTE) instanceof SignedIn s) {
      Optional<UserView> current = users.signedIn(s.username());
      if (current.isPresent()) {
        return context.notifyContainerAboutLogin(s.username(), Set.copyOf(current.get().roles()));
      }
      // Disabled (or removed) since signing in: the session ends here, as if signed out.
      session.invalidate();
    }
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
      CredentialValidationResult result = identityStores.validate(basic(authorization));
      if (result.getStatus() == CredentialValidationResult.Status.VALID) {
        return context.notifyContainerAboutLogin(result);
      }
      return isApi(path) ? unauthorized(response, context) : context.doNothing();
    }
    if (!context.isProtected()) {
      return context.doNothing();
    }
    if (isApi(path)) {
      return unauthorized(response, context);
    }
    if ("GET".equals(request.getMethod())) {
      String query = request.getQueryString();
      request
          .getSession()
          .setAttribute(
              RETURN_TO_ATTRIBUTE,
              request.getServletPath()
                  + (request.getPathInfo() == null ? "" : request.getPathInfo())
                  + (query == null ? "" : "?" + query));
    }
    return context.redirect(request.getContextPath() + LOGIN_PAGE);
  }

  @Override
  public void cleanSubject(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.removeAttribute(SignedIn.SESSION_ATTRIBUTE);
    }
  }

  private AuthenticationStatus signInSession(
      HttpServletRequest request, HttpMessageContext context, CredentialValidationResult result) {
    if (result.getStatus() != CredentialValidationResult.Status.VALID) {
      return context.notifyContainerAboutLogin(result);
    }
    // A new session id at sign-in, so an id planted before login is worth nothing after it.
    request.getSession();
    request.changeSessionId();
    String username = result.getCallerPrincipal().getName();
    Set<String> roles = Set.copyOf(result.getCallerGroups());
    request.getSession().setAttribute(SignedIn.SESSION_ATTRIBUTE, new SignedIn(username, roles));
    return context.notifyContainerAboutLogin(username, roles);
  }

  private static Credential basic(String authorization) {
    try {
      String decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
              StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon > 0) {
        return new UsernamePasswordCredential(
            decoded.substring(0, colon), decoded.substring(colon + 1));
      }
    } catch (IllegalArgumentException notBase64) {
      // falls through to an invalid credential
    }
    return new UsernamePasswordCredential("", "");
  }

  private static boolean isApi(String path) {
    return path.startsWith("/api/");
  }

  private static AuthenticationStatus unauthorized(
      HttpServletResponse response, HttpMessageContext context) {
    try {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      response.setHeader("WWW-Authenticate", "Basic realm=\"keyport\", charset=\"UTF-8\"");
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      response
          .getWriter()
          .write(
              "{\"error\":\"unauthorized\",\"message\":\"Sign in: send HTTP Basic credentials"
                  + " of a Keyport user, or the portal's session cookie.\"}");
    } catch (IOException e) {
      // The client went away; the status is all that matters.
    }
    return AuthenticationStatus.SEND_FAILURE;
  }
}
