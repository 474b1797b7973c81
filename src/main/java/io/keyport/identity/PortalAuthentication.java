package io.keyport.identity;

import io.keyport.platform.ClientAddress;
import io.keyport.platform.JsonErrors;
import io.keyport.platform.Metrics;
import io.keyport.platform.PortalOrigins;
import io.keyport.platform.SecurityHeaders;
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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The portal's one authentication mechanism (Jakarta Security allows one per application):
 *
 * <ul>
 *   <li>the login page's form, through {@code SecurityContext.authenticate}, which signs the
 *       session in;
 *   <li>sign-in through the OpenID Connect provider: {@code /oidc/login} sends the browser there,
 *       {@code /oidc/callback} takes it back and signs the session in ({@link OidcSignIn});
 *   <li>the session, on every later request, pages and REST API alike;
 *   <li>HTTP Basic (under {@code /api/} and {@code /v1/} only; elsewhere the header is ignored, so
 *       a browser never learns to send it) and provider bearer tokens, for scripts calling the REST
 *       API, without creating a session.
 * </ul>
 *
 * <p>Failed sign-ins of every kind are counted and throttled per account and per client address
 * ({@link SignInThrottle}); a throttled attempt is refused before any password is hashed, with 429
 * and {@code Retry-After} on the API and a message on the login page. A successful Basic
 * verification is remembered briefly ({@link BasicSignIns}), so a script's calls do not each cost
 * PBKDF2, and password verifications run in a few bounded slots ({@link Passwords}).
 *
 * <p>Which of these are on is {@code keyport.auth.mode}: {@code local} has no provider, {@code
 * oidc} takes no local password (neither the form nor HTTP Basic), {@code both} takes everything.
 *
 * <p>A protected page sends an anonymous browser to the login page and back afterwards; the REST
 * API answers 401 with a JSON body instead. The gateway check is never authenticated here.
 */
@ApplicationScoped
public class PortalAuthentication implements HttpAuthenticationMechanism {

  public static final String LOGIN_PAGE = "/login.xhtml";
  public static final String RETURN_TO_ATTRIBUTE = "io.keyport.returnTo";
  public static final String HOME_PAGE = "/portal/products.xhtml";
  public static final String SIGN_IN_FAILED_PAGE = "/error/sign-in.xhtml";

  /**
   * Set on a login-form request that was refused without checking the password: a Long, the seconds
   * to wait (throttled), or 0 (every password check slot busy).
   */
  public static final String RETRY_AFTER_ATTRIBUTE = "io.keyport.signInRetryAfter";

  private static final String GLOO_PORTAL_API = "/v1/";
  private static final String GLOO_PORTAL_LOGIN = "/v1/login";
  private static final String BASIC = "Basic ";
  private static final String BEARER = "Bearer ";
  private static final Logger LOG = Logger.getLogger(PortalAuthentication.class.getName());

  @Inject private IdentityStoreHandler identityStores;
  @Inject private OidcSignIn oidc;
  @Inject private OidcSettings settings;
  @Inject private Users users;
  @Inject private Metrics metrics;
  @Inject private SignInThrottle throttle;
  @Inject private BasicSignIns basicSignIns;
  @Inject private PortalOrigins portalOrigins;

  @Override
  public AuthenticationStatus validateRequest(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    String path = request.getServletPath();
    if (path.startsWith("/auth/check")
        || path.equals("/ping")
        || path.startsWith("/health")
        || path.equals("/metrics")
        // signed by the scanner (leaks.SecretScanningServlet), not by anyone signed in
        || path.startsWith("/secret-scanning/")) {
      return context.doNothing();
    }
    // This runs before any servlet filter, and a refusal written here never reaches one.
    SecurityHeaders.apply(request, response);
    String fullPath = path + (request.getPathInfo() == null ? "" : request.getPathInfo());
    if (fullPath.startsWith(GLOO_PORTAL_API)) {
      portalOrigins.applyCors(request, response);
    }
    boolean api = isApi(fullPath);
    if (path.equals(OidcSignIn.LOGIN_PATH)) {
      return startProviderSignIn(request, context);
    }
    if (path.equals(OidcSignIn.CALLBACK_PATH)) {
      return finishProviderSignIn(request, context);
    }
    Credential credential = context.getAuthParameters().getCredential();
    if (context.isAuthenticationRequest() && credential != null) {
      return signInForm(request, context, credential);
    }
    HttpSession session = request.getSession(false);
    if (session != null && session.getAttribute(SignedIn.SESSION_ATTRIBUTE) instanceof SignedIn s) {
      Optional<UserView> current = users.signedIn(s);
      if (current.isPresent()) {
        return context.notifyContainerAboutLogin(s.username(), Set.copyOf(current.get().roles()));
      }
      // Disabled (or removed) since signing in: the session ends here, as if signed out.
      session.invalidate();
    }
    String authorization = request.getHeader("Authorization");
    boolean basic =
        authorization != null && authorization.regionMatches(true, 0, BASIC, 0, BASIC.length());
    if (basic && api) {
      return signInBasic(request, response, context, authorization);
    }
    if (authorization != null
        && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        && settings.mode().allowsOidc()) {
      String address = ClientAddress.of(request);
      long wait = throttle.retryAfterSeconds(null, address);
      if (wait > 0) {
        return api ? tooManyAttempts(response, wait) : context.doNothing();
      }
      try {
        UserView user = oidc.bearer(authorization.substring(BEARER.length()).trim());
        return context.notifyContainerAboutLogin(user.username(), Set.copyOf(user.roles()));
      } catch (OidcFailure refused) {
        LOG.info(
            "Bearer token refused on "
                + request.getRequestURI()
                + " ("
                + refused.reason().word()
                + "): "
                + refused.getMessage());
        if (refused.reason().isTokenProblem()) {
          throttle.failed(null, address, SignInThrottle.Channel.BEARER, refused.reason().word());
        }
        return api ? bearerRefused(response, refused) : context.doNothing();
      }
    }
    if (!context.isProtected()) {
      return context.doNothing();
    }
    if (api) {
      return unauthorized(response, false);
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
      session.removeAttribute(OidcSignIn.ID_TOKEN_ATTRIBUTE);
    }
  }

  private AuthenticationStatus startProviderSignIn(
      HttpServletRequest request, HttpMessageContext context) {
    HttpSession session = request.getSession(false);
    Object returnTo = session == null ? null : session.getAttribute(RETURN_TO_ATTRIBUTE);
    try {
      URI provider = oidc.start(request, safeReturn(returnTo));
      if (session != null) {
        session.removeAttribute(RETURN_TO_ATTRIBUTE);
      }
      return context.redirect(provider.toString());
    } catch (OidcFailure failure) {
      return signInFailed(request, context, failure);
    } catch (RuntimeException unexpected) {
      return signInBroke(request, context, unexpected);
    }
  }

  private AuthenticationStatus finishProviderSignIn(
      HttpServletRequest request, HttpMessageContext context) {
    try {
      OidcSignIn.Finished finished = oidc.finish(request);
      if (finished.linked()) {
        LOG.info("Linked a provider identity to " + finished.signedIn().username());
        return context.redirect(request.getContextPath() + safeReturn(finished.returnTo()));
      }
      // A new session id at sign-in, so an id planted before login is worth nothing after it.
      request.getSession();
      request.changeSessionId();
      HttpSession session = request.getSession();
      session.setAttribute(SignedIn.SESSION_ATTRIBUTE, finished.signedIn());
      session.setAttribute(OidcSignIn.ID_TOKEN_ATTRIBUTE, finished.idToken());
      LOG.info(
          "Signed in through the provider: "
              + finished.signedIn().username()
              + " "
              + finished.signedIn().roles());
      return context.redirect(request.getContextPath() + safeReturn(finished.returnTo()));
    } catch (OidcFailure failure) {
      return signInFailed(request, context, failure);
    } catch (RuntimeException unexpected) {
      return signInBroke(request, context, unexpected);
    }
  }

  private AuthenticationStatus signInFailed(
      HttpServletRequest request, HttpMessageContext context, OidcFailure failure) {
    metrics.providerSignInFailed();
    LOG.log(
        failure.reason() == OidcFailure.Reason.UNAVAILABLE ? Level.WARNING : Level.INFO,
        "Sign-in through the provider refused ("
            + failure.reason().word()
            + "): "
            + failure.getMessage());
    return context.redirect(
        request.getContextPath() + SIGN_IN_FAILED_PAGE + "?reason=" + failure.reason().word());
  }

  private static AuthenticationStatus signInBroke(
      HttpServletRequest request, HttpMessageContext context, RuntimeException unexpected) {
    LOG.log(Level.SEVERE, "Sign-in through the provider failed unexpectedly", unexpected);
    return context.redirect(request.getContextPath() + SIGN_IN_FAILED_PAGE + "?reason=error");
  }

  /** Only a path of this application that the mechanism itself saved; never an outside address. */
  private static String safeReturn(Object target) {
    return target instanceof String path && path.startsWith("/") && !path.startsWith("//")
        ? path
        : HOME_PAGE;
  }

  private AuthenticationStatus signInForm(
      HttpServletRequest request, HttpMessageContext context, Credential credential) {
    String username =
        credential instanceof UsernamePasswordCredential login ? login.getCaller() : null;
    String address = ClientAddress.of(request);
    long wait = throttle.retryAfterSeconds(username, address);
    if (wait > 0) {
      request.setAttribute(RETRY_AFTER_ATTRIBUTE, wait);
      return context.notifyContainerAboutLogin(CredentialValidationResult.INVALID_RESULT);
    }
    CredentialValidationResult result;
    try {
      result = identityStores.validate(credential);
    } catch (RuntimeException e) {
      if (!busy(e)) {
        throw e;
      }
      request.setAttribute(RETRY_AFTER_ATTRIBUTE, 0L);
      return context.notifyContainerAboutLogin(CredentialValidationResult.INVALID_RESULT);
    }
    if (result.getStatus() == CredentialValidationResult.Status.VALID) {
      throttle.succeeded(result.getCallerPrincipal().getName());
    } else {
      throttle.failed(username, address, SignInThrottle.Channel.FORM, "wrong_password");
    }
    return signInSession(request, context, result);
  }

  private AuthenticationStatus signInBasic(
      HttpServletRequest request,
      HttpServletResponse response,
      HttpMessageContext context,
      String authorization) {
    Optional<UserView> recent = basicSignIns.recent(authorization).flatMap(users::current);
    if (recent.isPresent()) {
      return context.notifyContainerAboutLogin(
          recent.get().username(), Set.copyOf(recent.get().roles()));
    }
    UsernamePasswordCredential credential = basic(authorization);
    String address = ClientAddress.of(request);
    long wait = throttle.retryAfterSeconds(credential.getCaller(), address);
    if (wait > 0) {
      return tooManyAttempts(response, wait);
    }
    CredentialValidationResult result;
    try {
      result = basicSignIns.verifyOnce(authorization, () -> identityStores.validate(credential));
    } catch (RuntimeException e) {
      if (!busy(e)) {
        throw e;
      }
      return refuseBusy(response);
    }
    if (result.getStatus() == CredentialValidationResult.Status.VALID) {
      String username = result.getCallerPrincipal().getName();
      throttle.succeeded(username);
      basicSignIns.remember(authorization, username);
      return context.notifyContainerAboutLogin(result);
    }
    throttle.failed(
        credential.getCaller(), address, SignInThrottle.Channel.BASIC, "wrong_password");
    return unauthorized(response, true);
  }

  private static boolean busy(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PasswordChecksBusy) {
        return true;
      }
    }
    return false;
  }

  private static AuthenticationStatus tooManyAttempts(HttpServletResponse response, long seconds) {
    response.setHeader("Retry-After", Long.toString(seconds));
    return refuse(
        response,
        429,
        "too_many_attempts",
        "Too many failed sign-ins for this account or from this address. Try again in "
            + seconds
            + " s.");
  }

  private static AuthenticationStatus refuseBusy(HttpServletResponse response) {
    response.setHeader("Retry-After", "1");
    return refuse(
        response,
        HttpServletResponse.SC_SERVICE_UNAVAILABLE,
        "busy",
        "Keyport is busy checking other sign-ins. Try again in a second.");
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

  private static UsernamePasswordCredential basic(String authorization) {
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

  /**
   * The REST APIs, which answer 401 rather than send a browser to the login page: Keyport's own and
   * Gloo Portal's ({@code /v1}, SPEC §10), but for {@code /v1/login}, whose whole point is the
   * login page.
   */
  private static boolean isApi(String fullPath) {
    return fullPath.startsWith("/api/")
        || (fullPath.startsWith(GLOO_PORTAL_API) && !fullPath.equals(GLOO_PORTAL_LOGIN));
  }

  /**
   * 401 for the API. The Basic challenge goes only to a caller that sent Basic credentials: sent to
   * a browser, it would open the browser's own password dialog and make the browser remember and
   * replay the password.
   */
  private AuthenticationStatus unauthorized(HttpServletResponse response, boolean sentBasic) {
    AuthMode mode = settings.mode();
    String provider = settings.providerName();
    String message =
        switch (mode) {
          case LOCAL ->
              "Sign in: send HTTP Basic credentials of a Keyport user, or the portal's session"
                  + " cookie.";
          case BOTH ->
              "Sign in: send HTTP Basic credentials of a Keyport user, a bearer token from "
                  + provider
                  + ", or the portal's session cookie.";
          case OIDC ->
              "Sign in: send a bearer token from "
                  + provider
                  + " (Authorization: Bearer <ID token>), or the portal's session cookie.";
        };
    if (sentBasic && mode.allowsLocal()) {
      response.addHeader("WWW-Authenticate", "Basic realm=\"keyport\", charset=\"UTF-8\"");
    }
    if (mode.allowsOidc()) {
      response.addHeader("WWW-Authenticate", "Bearer realm=\"keyport\"");
    }
    return refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", message);
  }

  private AuthenticationStatus bearerRefused(HttpServletResponse response, OidcFailure refused) {
    String provider = settings.providerName();
    return switch (refused.reason()) {
      case UNAVAILABLE ->
          refuse(
              response,
              HttpServletResponse.SC_SERVICE_UNAVAILABLE,
              "unavailable",
              "Keyport could not reach "
                  + provider
                  + " to check the token. Try again shortly; if it persists, tell an"
                  + " administrator.");
      case DISABLED ->
          refuse(
              response,
              HttpServletResponse.SC_FORBIDDEN,
              "account_disabled",
              "Your Keyport account is disabled. Ask an administrator to enable it.");
      case CONFLICT ->
          refuse(
              response,
              HttpServletResponse.SC_FORBIDDEN,
              "account_conflict",
              "Your e-mail address belongs to a Keyport account linked to another identity. Ask"
                  + " an administrator to sort it out.");
      default -> {
        response.addHeader("WWW-Authenticate", "Bearer realm=\"keyport\", error=\"invalid_token\"");
        yield refuse(
            response,
            HttpServletResponse.SC_UNAUTHORIZED,
            "invalid_token",
            bearerProblem(refused.reason(), provider));
      }
    };
  }

  private String bearerProblem(OidcFailure.Reason reason, String provider) {
    return switch (reason) {
      case EXPIRED ->
          "The bearer token has expired (or is not valid yet). Get a new one from "
              + provider
              + " and try again.";
      case AUDIENCE ->
          "The bearer token is meant for another client. Send a token whose audience"
              + " (aud) is Keyport's client id, "
              + settings.clientId()
              + ", such as the ID token Keyport's client gets.";
      case ISSUER ->
          "The bearer token comes from another issuer. Keyport accepts tokens from "
              + settings.issuer()
              + ".";
      case SIGNATURE ->
          "The bearer token's signature does not verify: it was changed, or not"
              + " signed by "
              + provider
              + ". Send the token exactly as "
              + provider
              + " issued it.";
      case NO_USERNAME ->
          "The bearer token names no e-mail address (or the claim keyport.oidc.username-claim"
              + " names), so Keyport cannot tell who you are. Ask for the email scope.";
      case UNVERIFIED ->
          "The bearer token's e-mail address is not verified by "
              + provider
              + ", so Keyport does not take it as your username. Confirm the address there.";
      case ACCOUNT_EXISTS ->
          "A Keyport account with the token's e-mail address exists and is not linked to your "
              + provider
              + " identity. Sign in with its password and link it from your profile, or ask an"
              + " administrator to link it.";
      default ->
          "The bearer token is not a signed JWT from "
              + provider
              + " with sub, iat and exp. Send an ID token, or a JWT access token.";
    };
  }

  private static AuthenticationStatus refuse(
      HttpServletResponse response, int status, String error, String message) {
    try {
      JsonErrors.write(response, status, error, message);
    } catch (IOException e) {
      // The client went away; the status is all that matters.
    }
    return AuthenticationStatus.SEND_FAILURE;
  }
}
